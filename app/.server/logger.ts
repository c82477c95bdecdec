import pino, { type Logger } from "pino";

export type { Logger };

/** Field names that hold a secret wherever they appear: at the top level and one level down. */
const SECRET_FIELDS = [
  "password",
  "plaintext",
  "keyCodes",
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "secret",
  "webhookSecret",
  "apiSecret",
  "apiSecretKey",
  "consumerKey",
  "consumerSecret",
  "masterKey",
  "sessionSecret",
  "authorization",
  "cookie",
];

/** Request and response headers that carry credentials, on a top-level or one-level-down `headers`. */
const SECRET_HEADERS = ["authorization", "cookie", '["set-cookie"]', '["x-shopify-access-token"]'];

/**
 * Paths that could ever carry a secret are censored before a line is written. Key plaintext never
 * reaches a logger call (payloads carry ids), this is the second line of defence. Error codes
 * (`code: "ECONNREFUSED"`) are deliberately not censored: they are what an operator needs.
 */
export const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
  ...SECRET_HEADERS.flatMap((h) => {
    const sep = h.startsWith("[") ? "" : ".";
    return [`headers${sep}${h}`, `*.headers${sep}${h}`];
  }),
];

export function createLogger(opts: { level: string; destination?: pino.DestinationStream; name?: string }): Logger {
  return pino(
    {
      level: opts.level,
      name: opts.name ?? "keyrelay",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { pid: process.pid },
    },
    opts.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
