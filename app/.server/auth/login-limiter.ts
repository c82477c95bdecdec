import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.ts";

/**
 * Failed logins are counted per email (guessing one account's password) and, with a looser limit,
 * per IP (spraying many accounts; an office behind one NAT still gets room). Keys are "email:…" and
 * "ip:…". With Redis every web process shares the counters; without it (one process) memory is enough.
 */
export interface LoginLimiter {
  /** Seconds to wait when blocked, or 0 when a try is allowed. */
  blockedFor(keys: string[]): Promise<number>;
  recordFailure(keys: string[]): Promise<void>;
  reset(keys: string[]): Promise<void>;
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
    async blockedFor(keys) {
      let wait = 0;
      for (const k of keys) {
        const limiter = limiterFor(k);
        const r = await limiter.get(k);
        if (r && r.consumedPoints >= limiter.points) wait = Math.max(wait, Math.max(1, Math.ceil(r.msBeforeNext / 1000)));
      }
      return wait;
    },
    async recordFailure(keys) {
      for (const k of keys) {
        await limiterFor(k)
          .penalty(k, 1)
          .catch((e) => {
            if (!(e instanceof RateLimiterRes)) throw e;
          });
      }
    },
    async reset(keys) {
      for (const k of keys) await limiterFor(k).delete(k);
    },
    async close() {
      redis?.disconnect();
    },
  };
}
