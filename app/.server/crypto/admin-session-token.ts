import crypto from "node:crypto";

/**
 * The standalone admin's session id and what is derived from it:
 * - the id: 32 random bytes, base64url; it lives only in the browser's cookie
 * - its record key: SHA-256 of the id, hex — the database never holds the id, so reading the
 *   admin_sessions table gives no way in
 * - its CSRF token: an HMAC of the id under a key derived from the session secret with its own
 *   label. It is bound to this one session (a new sign-in gets a new token) and needs no storage;
 *   the session record is checked before any token is.
 */
const ID_BYTES = 32;

export function newSessionId(): string {
  return crypto.randomBytes(ID_BYTES).toString("base64url");
}

/** True for a value newSessionId could have made: anything else is not looked up at all. */
export function isSessionIdShaped(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);
}

export function hashSessionId(sessionId: string): string {
  return crypto.createHash("sha256").update(sessionId, "utf8").digest("hex");
}

/** The CSRF key: an HMAC of the session secret with a label (domain separation from cookie signatures and buyer links). */
export function csrfKey(sessionSecret: string): Buffer {
  return crypto.createHmac("sha256", sessionSecret).update("keyrelay admin csrf v1").digest();
}

export function csrfTokenFor(key: Buffer, sessionId: string): string {
  return crypto.createHmac("sha256", key).update(sessionId, "utf8").digest("base64url");
}

/** Timing-safe comparison of a submitted token with the expected one. */
export function tokensEqual(expected: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
