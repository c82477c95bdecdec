import type { Config } from "../config.ts";
import { createKeyedLimiter, type KeyedLimiter } from "./keyed-limiter.ts";

/**
 * Requests to the buyer's key page and the checkout extension's endpoint, counted per minute per
 * IP ("ip:…") and, for the extension, per shop ("shop:…", 20× looser: one shop's buyers share it).
 * A signed link or a session token is the real gate; this keeps anyone from hammering either one
 * (guessing tokens, walking order ids). Shared through Redis when configured, else per process.
 */
export type BuyerLimiter = KeyedLimiter;

export const SHOP_LIMIT_FACTOR = 20;

export function createBuyerLimiter(config: Pick<Config, "redisUrl" | "buyer">): BuyerLimiter {
  return createKeyedLimiter({
    redisUrl: config.redisUrl,
    windowSeconds: 60,
    kinds: {
      ip: { points: config.buyer.ratePerMinute, prefix: "keyrelay-buyer-ip" },
      shop: { points: config.buyer.ratePerMinute * SHOP_LIMIT_FACTOR, prefix: "keyrelay-buyer-shop" },
    },
    fallbackKind: "ip",
  });
}
