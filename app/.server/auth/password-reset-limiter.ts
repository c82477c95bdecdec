import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.ts";

/**
 * "Forgot password?" requests, counted per email ("email:…", a hash) and per client network
 * ("ip:…"), whether or not the email is anyone's: so the limit itself tells nothing about which
 * emails exist, and nobody can fill an inbox with reset mails. Shared through Redis when configured.
 */
export interface PasswordResetLimiter {
  /** Takes one request from every key; resolves 0 to go ahead, or the seconds until the next try. */
  consume(keys: string[]): Promise<number>;
  close(): Promise<void>;
}

export const RESETS_PER_EMAIL = 3;
export const RESETS_PER_IP = 10;
export const RESET_WINDOW_SECONDS = 60 * 60;

export function createPasswordResetLimiter(config: Pick<Config, "redisUrl">): PasswordResetLimiter {
  let redis: Redis | undefined;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on("error", () => {});
    redis.connect().catch(() => {});
  }
  const make = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const opts = { points, duration: RESET_WINDOW_SECONDS, keyPrefix };
    return redis ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) }) : new RateLimiterMemory(opts);
  };
  const byEmail = make(RESETS_PER_EMAIL, "keyrelay-reset-email");
  const byIp = make(RESETS_PER_IP, "keyrelay-reset-ip");
  return {
    async consume(keys) {
      let wait = 0;
      for (const k of keys) {
        try {
          await (k.startsWith("ip:") ? byIp : byEmail).consume(k, 1);
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
