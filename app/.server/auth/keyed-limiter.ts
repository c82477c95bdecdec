import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

/**
 * A fixed-window limiter over several kinds of key ("ip:…", "account:…", "shop:…"), each kind
 * with its own budget: what the buyer page, link codes and password resets share. Every request
 * takes its point from each key before the work it guards, in one atomic increment per key, so
 * concurrent requests cannot slip past a check made while the others are still running. Shared
 * through Redis when configured (an in-memory limiter stands in while Redis is down), else per
 * process.
 */
export interface KeyedLimiter {
  /** Takes one point from every key; resolves 0 to go ahead, or the seconds (≥ 1) until the next try. */
  consume(keys: string[]): Promise<number>;
  close(): Promise<void>;
}

export interface KeyedLimiterOptions {
  redisUrl?: string;
  windowSeconds: number;
  /** Per kind of key (the text before the first ':'): its points per window and its Redis prefix. */
  kinds: Record<string, { points: number; prefix: string }>;
  /** The kind a key without a known kind counts against. */
  fallbackKind: string;
}

export function createKeyedLimiter(opts: KeyedLimiterOptions): KeyedLimiter {
  let redis: Redis | undefined;
  if (opts.redisUrl) {
    redis = new Redis(opts.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on("error", () => {});
    redis.connect().catch(() => {});
  }
  const limiters = new Map<string, RateLimiterAbstract>();
  for (const [kind, { points, prefix }] of Object.entries(opts.kinds)) {
    const o = { points, duration: opts.windowSeconds, keyPrefix: prefix };
    limiters.set(kind, redis ? new RateLimiterRedis({ ...o, storeClient: redis, insuranceLimiter: new RateLimiterMemory(o) }) : new RateLimiterMemory(o));
  }
  const fallback = limiters.get(opts.fallbackKind);
  if (!fallback) throw new Error(`keyed limiter: no kind ${opts.fallbackKind}`);
  const limiterFor = (key: string) => limiters.get(key.slice(0, key.indexOf(":"))) ?? fallback;
  return {
    async consume(keys) {
      let wait = 0;
      for (const k of keys) {
        try {
          await limiterFor(k).consume(k, 1);
        } catch (e) {
          if (!(e instanceof RateLimiterRes)) throw e;
          wait = Math.max(wait, 1, Math.ceil(e.msBeforeNext / 1000));
        }
      }
      return wait;
    },
    async close() {
      redis?.disconnect();
    },
  };
}
