import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.ts";

/**
 * Attempts to redeem a link code, counted per redeeming account ("account:…") and per IP ("ip:…",
 * looser: an office shares one). A code has 50 random bits and lives 15 minutes; at these limits a
 * guesser gets a few dozen tries in that time. Every attempt takes its point before the code is
 * looked up, so concurrent guesses cannot slip past. Shared through Redis when configured.
 */
export interface LinkCodeLimiter {
  /** Takes one attempt from every key; resolves 0 to go ahead, or the seconds until the next try. */
  consume(keys: string[]): Promise<number>;
  close(): Promise<void>;
}

export const LINK_ATTEMPTS_PER_ACCOUNT = 10;
export const LINK_ATTEMPTS_PER_IP = 30;
export const LINK_ATTEMPT_WINDOW_SECONDS = 15 * 60;

export function createLinkCodeLimiter(config: Pick<Config, "redisUrl">): LinkCodeLimiter {
  let redis: Redis | undefined;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on("error", () => {});
    redis.connect().catch(() => {});
  }
  const make = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const opts = { points, duration: LINK_ATTEMPT_WINDOW_SECONDS, keyPrefix };
    return redis ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) }) : new RateLimiterMemory(opts);
  };
  const byAccount = make(LINK_ATTEMPTS_PER_ACCOUNT, "keyrelay-link-account");
  const byIp = make(LINK_ATTEMPTS_PER_IP, "keyrelay-link-ip");
  return {
    async consume(keys) {
      let wait = 0;
      for (const k of keys) {
        try {
          await (k.startsWith("ip:") ? byIp : byAccount).consume(k, 1);
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
