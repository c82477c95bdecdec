import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Paths that could ever carry a secret are censored before a line is written. Keys themselves
 * never reach a logger call (payloads carry ids), this is the second line of defence.
 */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "code",
  "*.code",
  "codes",
  "*.codes",
  "plaintext",
  "*.plaintext",
  "accessToken",
  "*.accessToken",
  "consumerSecret",
  "*.consumerSecret",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
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
