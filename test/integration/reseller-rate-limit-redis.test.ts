import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { createResellerRateLimiter } from "../../app/.server/auth/reseller-rate-limiter.ts";
import { testEnv } from "../support/environment.ts";
import { redisAvailable } from "../support/services-available.ts";

/** The reseller API's per-token limit with REDIS_URL: two web processes share one budget. */
describe.skipIf(!redisAvailable)("reseller API rate limit in Redis", () => {
  it("counts one token's requests across processes, then refuses with a reset time", async () => {
    const config = { redisUrl: testEnv.redisUrl, resellerApi: { ratePerSecond: 10, burst: 50 } };
    const a = createResellerRateLimiter(config);
    const b = createResellerRateLimiter(config);
    // Wait for both connections (the limiter never blocks a request on a connecting Redis).
    await new Promise((r) => setTimeout(r, 300));
    try {
      const token = crypto.randomUUID();
      const rate = { perSecond: 3, burst: 3 };
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await (i % 2 ? b : a).take(token, rate));
      expect(answers.map((d) => d.allowed)).toEqual([true, true, true, false]);
      expect(answers[0]).toMatchObject({ limit: 3, remaining: 2 });
      expect(answers[3].resetSeconds).toBeGreaterThanOrEqual(1);
      // Another token has its own budget.
      expect((await b.take(crypto.randomUUID(), rate)).allowed).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("in memory (no REDIS_URL) the default is 10/s with bursts to 50", async () => {
    const m = createResellerRateLimiter({ redisUrl: undefined, resellerApi: { ratePerSecond: 10, burst: 50 } });
    const token = crypto.randomUUID();
    const allowed = [];
    for (let i = 0; i < 60; i++) allowed.push((await m.take(token, { perSecond: null, burst: null })).allowed);
    expect(allowed.filter(Boolean).length).toBe(50);
    expect(allowed.slice(0, 50).every(Boolean)).toBe(true);
    await m.close();
  });
});
