import { HostError } from "../host-error.ts";

/**
 * WooCommerce answers errors as `{code, message, data: {status}}` (WP_Error through the REST
 * server). The kind decides what the caller does (see host-error.ts). `what` names the call
 * ("GET /orders/42") without the query: over HTTP the query holds the consumer key.
 */
export function errorFromResponse(what: string, status: number, body: unknown, headers: Headers, isJson: boolean): HostError {
  const wp = wpError(body);
  const code = wp?.code ?? null;
  const detail = wp ? `${plainText(wp.message)} (${wp.code}, HTTP ${status})` : `HTTP ${status}`;
  const opts = { status, code, retryAfterMs: null as number | null };

  if (status === 429 || status >= 500) {
    opts.retryAfterMs = retryAfterMs(headers.get("retry-after"));
    return new HostError("retryable", `WooCommerce ${what}: ${detail}`, opts);
  }
  // A page that is not JSON where the REST API should be: not WooCommerce (or REST disabled, or a
  // login/maintenance page in front of it).
  if (!isJson && status !== 401 && status !== 403) {
    return new HostError("not_host", `WooCommerce ${what}: the store did not answer like the WooCommerce REST API (HTTP ${status}, not JSON)`, opts);
  }
  // WordPress answers, but no wc/v3 route: WooCommerce is deactivated or the REST API is off.
  if (code === "rest_no_route") {
    return new HostError("not_host", `WooCommerce ${what}: the WooCommerce REST API (wc/v3) is not available on this site`, opts);
  }
  if (status === 401 || status === 403) return new HostError("unauthorized", `WooCommerce ${what}: ${detail}`, opts);
  if (status === 404 || status === 410) return new HostError("not_found", `WooCommerce ${what}: ${detail}`, opts);
  if (status === 408) return new HostError("retryable", `WooCommerce ${what}: ${detail}`, opts);
  return new HostError("invalid", `WooCommerce ${what}: ${detail}`, opts);
}

export function wpError(body: unknown): { code: string; message: string } | null {
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const { code, message } = body as { code?: unknown; message?: unknown };
  return typeof code === "string" ? { code, message: typeof message === "string" ? message : "" } : null;
}

/** Retry-After in seconds or as an HTTP date, capped at an hour; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(Math.max(0, Math.round(ms)), 3_600_000);
}

/** WordPress puts HTML in some messages (the fatal-error page); keep them readable and short. */
function plainText(s: string): string {
  return s.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 300);
}
