/**
 * Every failure a connector reports, with a kind that says what the caller does:
 * - retryable: throttled (429, Shopify THROTTLED), 5xx, network — try again later (retryAfterMs if the host said)
 * - unauthorized: 401/403 — credentials revoked or missing scope; stop retrying, flag the store, alert
 * - not_found: 404 — the order/product is gone
 * - invalid: the host refused our input (userErrors, 400) — retrying the same call will not help
 * - not_host: the URL does not answer like this host at all (connect-time check)
 * Messages are for the merchant's eyes and logs: never a key, a token or a secret in them.
 */
export type HostErrorKind = "retryable" | "unauthorized" | "not_found" | "invalid" | "not_host";

/** Marks a HostError so it is recognised across copies of this module (route bundle vs. services). */
const HOST_ERROR = Symbol.for("keyrelay.HostError");

export class HostError extends Error {
  static [Symbol.hasInstance](v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as { [HOST_ERROR]?: boolean })[HOST_ERROR] === true;
  }
  readonly kind: HostErrorKind;
  readonly status: number | null;
  /** The host's own error code when it gave one (WooCommerce `code`, Shopify `extensions.code`). */
  readonly code: string | null;
  readonly retryAfterMs: number | null;

  constructor(kind: HostErrorKind, message: string, opts: { status?: number | null; code?: string | null; retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    (this as { [HOST_ERROR]?: boolean })[HOST_ERROR] = true;
    this.name = "HostError";
    this.kind = kind;
    this.status = opts.status ?? null;
    this.code = opts.code ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

export function isHostError(e: unknown): e is HostError {
  return e instanceof HostError;
}
