import type { Config } from "../config.ts";
import { createKeyedLimiter, type KeyedLimiter } from "./keyed-limiter.ts";

/**
 * Attempts to redeem a link code, counted per redeeming account ("account:…") and per IP ("ip:…",
 * looser: an office shares one). A code has 50 random bits and lives 15 minutes; at these limits a
 * guesser gets a few dozen tries in that time. Every attempt takes its point before the code is
 * looked up, so concurrent guesses cannot slip past. Shared through Redis when configured.
 */
export type LinkCodeLimiter = KeyedLimiter;

export const LINK_ATTEMPTS_PER_ACCOUNT = 10;
export const LINK_ATTEMPTS_PER_IP = 30;
export const LINK_ATTEMPT_WINDOW_SECONDS = 15 * 60;

export function createLinkCodeLimiter(config: Pick<Config, "redisUrl">): LinkCodeLimiter {
  return createKeyedLimiter({
    redisUrl: config.redisUrl,
    windowSeconds: LINK_ATTEMPT_WINDOW_SECONDS,
    kinds: {
      account: { points: LINK_ATTEMPTS_PER_ACCOUNT, prefix: "keyrelay-link-account" },
      ip: { points: LINK_ATTEMPTS_PER_IP, prefix: "keyrelay-link-ip" },
    },
    fallbackKind: "account",
  });
}
