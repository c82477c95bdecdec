/**
 * Every error says what its caller does with it:
 * - retryable: back off and try again (a host timed out, the database was busy)
 * - permanent: park it as failed and show it to the merchant (a revoked token, a deleted variant)
 * - ignored: nothing to do, count it as done (a webhook for an uninstalled shop)
 * - invalid_input: the request was wrong; answer 4xx with a clear message and change nothing
 *
 * `code` names a message in the catalogs (errors.<code>); `params` fill it in. Messages never
 * contain key plaintext.
 */
export type ErrorKind = "retryable" | "permanent" | "ignored" | "invalid_input";

export class KeyrelayError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly params: Record<string, string | number>;
  constructor(kind: ErrorKind, code: string, message: string, params: Record<string, string | number> = {}) {
    super(message);
    this.name = "KeyrelayError";
    this.kind = kind;
    this.code = code;
    this.params = params;
  }
}

export class RetryableError extends KeyrelayError {
  readonly retryAfterMs?: number;
  constructor(code: string, message: string, opts: { retryAfterMs?: number; params?: Record<string, string | number> } = {}) {
    super("retryable", code, message, opts.params);
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export class PermanentError extends KeyrelayError {
  constructor(code: string, message: string, params?: Record<string, string | number>) {
    super("permanent", code, message, params);
  }
}

export class IgnoredError extends KeyrelayError {
  constructor(code: string, message: string, params?: Record<string, string | number>) {
    super("ignored", code, message, params);
  }
}

export class InvalidInputError extends KeyrelayError {
  readonly field?: string;
  constructor(code: string, message: string, opts: { field?: string; params?: Record<string, string | number> } = {}) {
    super("invalid_input", code, message, opts.params);
    this.field = opts.field;
  }
}

/** Unknown errors (a bug, a dropped connection) are retried: losing work is worse than trying twice. */
export function errorKindOf(error: unknown): ErrorKind {
  return error instanceof KeyrelayError ? error.kind : "retryable";
}
