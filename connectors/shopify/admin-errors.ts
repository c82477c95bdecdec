import { HostError } from "../host-error.ts";
import { retryAfterHeaderMs, throttledRetryAfterMs, type QueryCost } from "./throttle.ts";

/**
 * How Shopify Admin API failures become HostError kinds (connectors/host-error.ts). Messages name
 * the operation and Shopify's own words, with every secret the caller passed (delivered codes,
 * the note text) cut out: Shopify echoes variable values in some errors ("…provided invalid value
 * for note (…)"), and a key must never reach a log or the admin's error column.
 */
export interface GraphqlError {
  message?: string;
  extensions?: { code?: string; [k: string]: unknown };
}

export interface UserError {
  message: string;
  field?: string[] | null;
  code?: string | null;
}

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("[redacted]");
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}

export function httpStatusError(operation: string, status: number, headers: Headers, body: string, secrets: readonly string[] = []): HostError {
  const detail = redactSecrets(bodyMessage(body), secrets);
  const msg = `Shopify ${operation}: HTTP ${status}${detail ? ` (${detail})` : ""}`;
  if (status === 401 || status === 403) return new HostError("unauthorized", msg, { status });
  // 402: the shop is frozen for non-payment; 423: locked by Shopify. Retrying will not help
  // until the merchant acts, so the store is flagged like a revoked token.
  if (status === 402 || status === 423) return new HostError("unauthorized", msg, { status });
  if (status === 404) return new HostError("not_found", msg, { status });
  if (status === 429 || status >= 500) return new HostError("retryable", msg, { status, retryAfterMs: retryAfterHeaderMs(headers.get("retry-after")) });
  return new HostError("invalid", msg, { status });
}

/** Top-level `errors` of a 200 answer. */
export function graphqlErrorsError(operation: string, errors: GraphqlError[], cost: QueryCost | null, secrets: readonly string[] = []): HostError {
  const codes = errors.map((e) => e.extensions?.code).filter((c): c is string => typeof c === "string");
  const text = redactSecrets(errors.map((e) => e.message ?? "").filter(Boolean).join("; "), secrets);
  const msg = `Shopify ${operation}: ${text || "GraphQL error"}`;
  if (codes.includes("THROTTLED")) return new HostError("retryable", msg, { code: "THROTTLED", retryAfterMs: throttledRetryAfterMs(cost) });
  if (codes.includes("ACCESS_DENIED")) return new HostError("unauthorized", msg, { code: "ACCESS_DENIED" });
  if (codes.includes("SHOP_INACTIVE")) return new HostError("unauthorized", msg, { code: "SHOP_INACTIVE" });
  if (codes.includes("INTERNAL_SERVER_ERROR")) return new HostError("retryable", msg, { code: "INTERNAL_SERVER_ERROR" });
  // Anything else (invalid document, MAX_COST_EXCEEDED, bad variables) is ours to fix: retrying
  // the same request gives the same answer.
  return new HostError("invalid", msg, { code: codes[0] ?? null });
}

export function userErrorsError(operation: string, userErrors: UserError[], secrets: readonly string[] = []): HostError {
  const parts = userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message));
  return new HostError("invalid", `Shopify ${operation} refused: ${redactSecrets(parts.join("; "), secrets)}`, { code: userErrors.find((e) => e.code)?.code ?? null });
}

export function networkError(operation: string, cause: unknown, timeoutMs: number): HostError {
  const name = (cause as { name?: string } | null)?.name;
  const timedOut = name === "TimeoutError" || name === "AbortError";
  const what = timedOut ? `no answer within ${timeoutMs} ms` : `network error (${(cause as { code?: string })?.code ?? name ?? "unknown"})`;
  // The cause is kept for debugging; it carries the request URL and headers object, never a body.
  return new HostError("retryable", `Shopify ${operation}: ${what}`, { cause });
}

function bodyMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (typeof parsed.errors === "string") return parsed.errors;
    if (Array.isArray(parsed.errors)) return parsed.errors.map((e) => (typeof e === "string" ? e : ((e as GraphqlError).message ?? ""))).join("; ");
  } catch {
    // not JSON: an HTML error page from a proxy; its text is noise
  }
  return "";
}
