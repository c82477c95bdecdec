import crypto from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisAttemptStore } from "../../app/.server/auth/login-attempt-store.ts";
import { createLoginLimiter } from "../../app/.server/auth/login-limiter.ts";
import type { Config } from "../../app/.server/config.ts";
import { testEnv } from "../support/environment.ts";
import { harness, LOGIN_TEST_LIMITS, limiterScenarios } from "../support/login-limiter-scenarios.ts";
import { redisAvailable } from "../support/services-available.ts";

// The sign-in limiter on real Redis: the same scenarios as the memory store's unit test, each
// under its own key prefix, and two connections standing for two web processes.
describe.skipIf(!redisAvailable)("login limiter (Redis)", () => {
  const clients: Redis[] = [];
  const prefix = `keyrelay-login-test-${crypto.randomBytes(4).toString("hex")}`;
  const connect = async () => {
    const r = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
    clients.push(r);
    await r.ping();
    return r;
  };
  let redis: Redis;
  beforeAll(async () => {
    redis = await connect();
  });
  afterAll(async () => {
    expect(errors).toEqual([]);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    for (const c of clients) c.disconnect();
  });

  // A script error would fall back to memory and pass unseen: every Redis error fails the suite.
  const errors: unknown[] = [];
  const h = harness(() => redisAttemptStore(redis, prefix, { onError: (e) => errors.push(e) }));
  limiterScenarios(() => h.make());

  it("two web processes (two connections) share the counters", async () => {
    let t = 1_750_000_000_000;
    const config = { login: LOGIN_TEST_LIMITS } as unknown as Config;
    const one = createLoginLimiter(config, { now: () => t, store: redisAttemptStore(await connect(), prefix) });
    const two = createLoginLimiter(config, { now: () => t, store: redisAttemptStore(await connect(), prefix) });
    const attempt = { email: `shared-${crypto.randomUUID()}@example.com`, ip: "198.51.100.77" };
    for (let i = 0; i < 5; i++) {
      const gate = await (i % 2 ? one : two).begin(attempt);
      expect(gate.allowed).toBe(true);
      if (gate.allowed) await gate.failed();
    }
    for (const l of [one, two]) {
      const gate = await l.begin(attempt);
      expect(gate.allowed ? 0 : gate.retryAfterSeconds).toBe(1);
    }
    t += 1000;
    expect((await one.begin(attempt)).allowed).toBe(true);
  });

  it("keeps limiting in memory while Redis does not answer", async () => {
    const dead = new Redis("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on("error", () => {});
    const config = { login: LOGIN_TEST_LIMITS } as unknown as Config;
    const l = createLoginLimiter(config, { now: () => 1_750_000_000_000, store: redisAttemptStore(dead, prefix) });
    const attempt = { email: "owner@example.com", ip: "198.51.100.78" };
    for (let i = 0; i < 5; i++) {
      const gate = await l.begin(attempt);
      expect(gate.allowed).toBe(true);
      if (gate.allowed) await gate.failed();
    }
    expect((await l.begin(attempt)).allowed).toBe(false);
    dead.disconnect();
  });
});
