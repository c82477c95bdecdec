import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.ts";

/**
 * Sign-in attempts are counted per email (guessing one account's password) and, with a looser
 * limit, per IP (spraying many accounts; an office behind one NAT still gets room). Keys are
 * "email:…" and "ip:…". With Redis every web process shares the counters; without it (one
 * process) memory is enough.
 *
 * Every attempt takes its point *before* the password is checked, in one atomic increment per
 * key, so a burst of concurrent requests cannot all pass a check made while the others are still
 * hashing: at most `points` of them ever reach the password check per window.
 */
export interface LoginLimiter {
  /**
   * Takes one attempt from every key. Resolves 0 when the attempt may go ahead, or the seconds
   * (≥ 1) until the most exhausted key has attempts again; a refused attempt gives back what it
   * took from the keys that were not exhausted.
   */
  consume(keys: string[]): Promise<number>;
  /** After a successful sign-in: the email's count starts over and each IP gets its attempt back. */
  succeeded(keys: string[]): Promise<void>;
  close(): Promise<void>;
}

export const IP_LIMIT_FACTOR = 4;

export function createLoginLimiter(config: Config): LoginLimiter {
  let redis: Redis | undefined;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on("error", () => {});
  }
  const make = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const opts = { points, duration: config.login.windowSeconds, keyPrefix };
    return redis ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) }) : new RateLimiterMemory(opts);
  };
  const byEmail = make(config.login.maxAttempts, "keyrelay-login-email");
  const byIp = make(config.login.maxAttempts * IP_LIMIT_FACTOR, "keyrelay-login-ip");
  const limiterFor = (key: string) => (key.startsWith("ip:") ? byIp : byEmail);
  return {
    async consume(keys) {
      const settled = await Promise.allSettled(keys.map((k) => limiterFor(k).consume(k, 1)));
      let wait = 0;
      let failure: unknown;
      const taken: string[] = [];
      settled.forEach((r, i) => {
        if (r.status === "fulfilled") taken.push(keys[i]);
        else if (r.reason instanceof RateLimiterRes) wait = Math.max(wait, 1, Math.ceil(r.reason.msBeforeNext / 1000));
        else failure ??= r.reason;
      });
      if (wait > 0 || failure !== undefined) {
        // A blocked IP must not use up an email's attempts (or the other way round).
        await Promise.all(taken.map((k) => limiterFor(k).reward(k, 1).catch(() => {})));
      }
      if (failure !== undefined) throw failure;
      return wait;
    },
    async succeeded(keys) {
      for (const k of keys) {
        if (k.startsWith("ip:")) await byIp.reward(k, 1);
        else await byEmail.delete(k);
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}
