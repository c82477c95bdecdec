import type { Config } from "../config.ts";
import { createKeyedLimiter, type KeyedLimiter } from "./keyed-limiter.ts";

/**
 * "Forgot password?" requests, counted per email ("email:…", a hash) and per client network
 * ("ip:…"), whether or not the email is anyone's: so the limit itself tells nothing about which
 * emails exist, and nobody can fill an inbox with reset mails. Shared through Redis when configured.
 */
export type PasswordResetLimiter = KeyedLimiter;

export const RESETS_PER_EMAIL = 3;
export const RESETS_PER_IP = 10;
export const RESET_WINDOW_SECONDS = 60 * 60;

export function createPasswordResetLimiter(config: Pick<Config, "redisUrl">): PasswordResetLimiter {
  return createKeyedLimiter({
    redisUrl: config.redisUrl,
    windowSeconds: RESET_WINDOW_SECONDS,
    kinds: {
      email: { points: RESETS_PER_EMAIL, prefix: "keyrelay-reset-email" },
      ip: { points: RESETS_PER_IP, prefix: "keyrelay-reset-ip" },
    },
    fallbackKind: "email",
  });
}
