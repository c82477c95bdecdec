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

/**
 * `instanceof` across copies of this module: the production server loads one copy in the route
 * bundle and another in the unbundled services, jobs and connectors port, so an error thrown by
 * one copy must still be recognised by the other. Each class has a tag; an error carries the tags
 * of every class it was built as, under a registry-wide symbol.
 */
const TAGS = Symbol.for("keyrelay.errorTags");
type Tagged = { [TAGS]?: string[] };

function tagsOf(target: { tag?: string }): string[] {
  const tags: string[] = [];
  for (let c = target as { tag?: string } | null; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (Object.prototype.hasOwnProperty.call(c, "tag")) tags.push(c.tag!);
  }
  return tags;
}

export class KeyrelayError extends Error {
  static readonly tag: string = "KeyrelayError";
  static [Symbol.hasInstance](v: unknown): boolean {
    // A subclass declared elsewhere without its own tag is matched the ordinary way.
    if (!Object.prototype.hasOwnProperty.call(this, "tag")) return Function.prototype[Symbol.hasInstance].call(this, v);
    const tags = typeof v === "object" && v !== null ? (v as Tagged)[TAGS] : undefined;
    return Array.isArray(tags) && tags.includes((this as unknown as { tag: string }).tag);
  }
  readonly kind: ErrorKind;
  readonly code: string;
  readonly params: Record<string, string | number>;
  constructor(kind: ErrorKind, code: string, message: string, params: Record<string, string | number> = {}) {
    super(message);
    (this as Tagged)[TAGS] = tagsOf(new.target as unknown as { tag?: string });
    this.name = "KeyrelayError";
    this.kind = kind;
    this.code = code;
    this.params = params;
  }
}

export class RetryableError extends KeyrelayError {
  static override readonly tag: string = "RetryableError";
  readonly retryAfterMs?: number;
  constructor(code: string, message: string, opts: { retryAfterMs?: number; params?: Record<string, string | number> } = {}) {
    super("retryable", code, message, opts.params);
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export class PermanentError extends KeyrelayError {
  static override readonly tag: string = "PermanentError";
  constructor(code: string, message: string, params?: Record<string, string | number>) {
    super("permanent", code, message, params);
  }
}

export class IgnoredError extends KeyrelayError {
  static override readonly tag: string = "IgnoredError";
  constructor(code: string, message: string, params?: Record<string, string | number>) {
    super("ignored", code, message, params);
  }
}

export class InvalidInputError extends KeyrelayError {
  static override readonly tag: string = "InvalidInputError";
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
