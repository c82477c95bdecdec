import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.ts";

/**
 * Failed logins are counted per email and per IP. With Redis every web process shares the
 * counters; without it (one process) memory is enough.
 */
export interface LoginLimiter {
  /** Seconds to wait when blocked, or 0 when a try is allowed. */
  blockedFor(keys: string[]): Promise<number>;
  recordFailure(keys: string[]): Promise<void>;
  reset(keys: string[]): Promise<void>;
  close(): Promise<void>;
}

export function createLoginLimiter(config: Config): LoginLimiter {
  const opts = { points: config.login.maxAttempts, duration: config.login.windowSeconds, keyPrefix: "keyrelay-login" };
  let redis: Redis | undefined;
  let limiter: RateLimiterAbstract;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on("error", () => {});
    limiter = new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) });
  } else {
    limiter = new RateLimiterMemory(opts);
  }
  return {
    async blockedFor(keys) {
      let wait = 0;
      for (const k of keys) {
        const r = await limiter.get(k);
        if (r && r.consumedPoints >= opts.points) wait = Math.max(wait, Math.ceil(r.msBeforeNext / 1000));
      }
      return wait;
    },
    async recordFailure(keys) {
      for (const k of keys) {
        await limiter.penalty(k, 1).catch((e) => {
          if (!(e instanceof RateLimiterRes)) throw e;
        });
      }
    },
    async reset(keys) {
      for (const k of keys) await limiter.delete(k);
    },
    async close() {
      redis?.disconnect();
    },
  };
}
