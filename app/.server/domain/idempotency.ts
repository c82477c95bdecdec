/**
 * Idempotency-Key semantics as Stripe defines them, per reseller: the same key with the same
 * request replays the first answer for 24 hours; the same key with a different request is refused
 * (422); a key whose first request is still running is refused (409). A key whose first request
 * died without an answer (no commit: nothing was charged) may be taken over once it is stale.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A request holds its key this long at most; past it, the holder is taken to have died. */
export const IN_FLIGHT_STALE_MS = 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface StoredKey {
  fingerprint: string;
  state: "in_flight" | "done";
  createdAt: Date;
  lockedAt: Date;
}

export type KeyDecision = "replay" | "mismatch" | "in_flight" | "take_over";

export function decideOnExisting(stored: StoredKey, fingerprint: string, now: Date): KeyDecision {
  if (now.getTime() - stored.createdAt.getTime() >= IDEMPOTENCY_TTL_MS) return "take_over";
  if (stored.fingerprint !== fingerprint) return "mismatch";
  if (stored.state === "done") return "replay";
  return now.getTime() - stored.lockedAt.getTime() >= IN_FLIGHT_STALE_MS ? "take_over" : "in_flight";
}

/** A key is printable ASCII, 1–255 characters (Stripe allows 255). */
export function validIdempotencyKey(key: string | null): key is string {
  return key !== null && key.length > 0 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key);
}

/**
 * The request's canonical text: method, path and the body with object keys sorted, so the same
 * JSON in another key order is the same request, and any changed value is another.
 */
export function canonicalRequest(method: string, path: string, body: unknown): string {
  return `${method.toUpperCase()} ${path}\n${canonicalJson(body)}`;
}

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
}
