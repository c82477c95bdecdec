import { Redis } from "ioredis";
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.ts";

/**
 * Requests to the reseller API, per token: `ratePerSecond` a second steadily, and up to `burst`
 * over a few seconds (a second pool of burst − rate points refilled every burst/rate seconds, as
 * BurstyRateLimiter combines them). Counted in Redis when REDIS_URL is set (every web process
 * shares the budget; an in-memory limiter stands in while Redis is down), in-process otherwise.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (RateLimit-Reset), and until a refused request may retry. */
  resetSeconds: number;
  policy: string;
}

export interface ResellerRateLimiter {
  take(tokenId: string, rate: { perSecond: number | null; burst: number | null }): Promise<RateDecision>;
  close(): Promise<void>;
}

export function createResellerRateLimiter(config: Pick<Config, "redisUrl" | "resellerApi">): ResellerRateLimiter {
  let redis: Redis | undefined;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on("error", () => {});
    redis.connect().catch(() => {});
  }
  const make = (points: number, duration: number, keyPrefix: string): RateLimiterAbstract => {
    const o = { points, duration, keyPrefix };
    return redis ? new RateLimiterRedis({ ...o, storeClient: redis, insuranceLimiter: new RateLimiterMemory(o) }) : new RateLimiterMemory(o);
  };
  const limiters = new Map<string, { bursty: BurstyRateLimiter | RateLimiterAbstract; perSecond: number; burst: number; burstWindow: number }>();
  const limiterFor = (perSecond: number, burst: number) => {
    const k = `${perSecond}:${burst}`;
    let l = limiters.get(k);
    if (!l) {
      const main = make(perSecond, 1, `keyrelay-rapi-${k}`);
      const extra = burst - perSecond;
      const burstWindow = extra > 0 ? Math.ceil(burst / perSecond) : 1;
      // No burst above the rate: the steady limiter alone.
      l = { bursty: extra > 0 ? new BurstyRateLimiter(main, make(extra, burstWindow, `keyrelay-rapi-burst-${k}`)) : main, perSecond, burst, burstWindow };
      limiters.set(k, l);
    }
    return l;
  };
  return {
    async take(tokenId, rate) {
      const perSecond = rate.perSecond ?? config.resellerApi.ratePerSecond;
      const burst = Math.max(perSecond, rate.burst ?? config.resellerApi.burst);
      const l = limiterFor(perSecond, burst);
      const policy = `${perSecond};w=1, ${burst};w=${l.burstWindow}`;
      try {
        const r = await l.bursty.consume(tokenId, 1);
        return { allowed: true, limit: perSecond, remaining: Math.max(0, r.remainingPoints), resetSeconds: Math.max(1, Math.ceil(r.msBeforeNext / 1000)), policy };
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        return { allowed: false, limit: perSecond, remaining: 0, resetSeconds: Math.max(1, Math.ceil(e.msBeforeNext / 1000)), policy };
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}
