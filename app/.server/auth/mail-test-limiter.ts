import type { Config } from "../config.ts";
import { createKeyedLimiter, type KeyedLimiter } from "./keyed-limiter.ts";

/**
 * Test emails from the settings page (SMTP test, a pool template's test send), per account
 * ("account:…"). Embedded, a test goes to whatever address is typed, with the subject and HTML
 * the merchant wrote, from the installation's MAIL_FROM: without a cap any shop that installs the
 * app could use it as a mail relay. Shared through Redis when configured.
 */
export type MailTestLimiter = KeyedLimiter;

export const MAIL_TESTS_PER_ACCOUNT = 10;
export const MAIL_TEST_WINDOW_SECONDS = 60 * 60;

export function createMailTestLimiter(config: Pick<Config, "redisUrl">): MailTestLimiter {
  return createKeyedLimiter({
    redisUrl: config.redisUrl,
    windowSeconds: MAIL_TEST_WINDOW_SECONDS,
    kinds: { account: { points: MAIL_TESTS_PER_ACCOUNT, prefix: "keyrelay-mail-test-account" } },
    fallbackKind: "account",
  });
}
