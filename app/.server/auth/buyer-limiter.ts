import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.ts";

/**
 * Requests to the buyer's key page and the checkout extension's endpoint, counted per minute per
 * IP ("ip:…") and, for the extension, per shop ("shop:…", 20× looser: one shop's buyers share it).
 * A signed link or a session token is the real gate; this keeps anyone from hammering either one
 * (guessing tokens, walking order ids). Shared through Redis when configured, else per process.
 */
export interface BuyerLimiter {
  /** Takes one request from every key; resolves 0 to go ahead, or the seconds to wait. */
  consume(keys: string[]): Promise<number>;
  close(): Promise<void>;
}

export const SHOP_LIMIT_FACTOR = 20;

export function createBuyerLimiter(config: Config): BuyerLimiter {
  let redis: Redis | undefined;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on("error", () => {});
    redis.connect().catch(() => {});
  }
  const make = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const opts = { points, duration: 60, keyPrefix };
    return redis ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) }) : new RateLimiterMemory(opts);
  };
  const byIp = make(config.buyer.ratePerMinute, "keyrelay-buyer-ip");
  const byShop = make(config.buyer.ratePerMinute * SHOP_LIMIT_FACTOR, "keyrelay-buyer-shop");
  return {
    async consume(keys) {
      let wait = 0;
      for (const k of keys) {
        try {
          await (k.startsWith("shop:") ? byShop : byIp).consume(k, 1);
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
