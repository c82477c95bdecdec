import crypto from "node:crypto";

/**
 * Reseller API tokens: `kr_live_<lookup>_<secret>` (or `kr_test_…` for the sandbox). The visible
 * prefix `kr_live_<lookup>` names the token in lists and finds its row; only the SHA-256 of the
 * whole token is stored, and the presented token's hash is compared with it in constant time, so
 * neither the lookup nor the compare says how much of a guess was right.
 */
export type TokenMode = "live" | "test";

const LOOKUP_CHARS = 12;
const SECRET_BYTES = 32;
const FORMAT = /^kr_(live|test)_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export interface NewToken {
  token: string;
  prefix: string;
  hash: Buffer;
  mode: TokenMode;
}

export function generateToken(mode: TokenMode): NewToken {
  const bytes = crypto.randomBytes(LOOKUP_CHARS);
  let lookup = "";
  // 62 does not divide 256: 248 = 4·62, bytes ≥ 248 would skew; redraw them.
  for (let i = 0; lookup.length < LOOKUP_CHARS; i++) {
    const b = i < bytes.length ? bytes[i] : crypto.randomBytes(1)[0];
    if (b < 248) lookup += ALPHABET[b % 62];
  }
  const secret = crypto.randomBytes(SECRET_BYTES).toString("base64url");
  const prefix = `kr_${mode}_${lookup}`;
  const token = `${prefix}_${secret}`;
  return { token, prefix, hash: hashToken(token), mode };
}

export function hashToken(token: string): Buffer {
  return crypto.createHash("sha256").update(token, "utf8").digest();
}

/** The token's prefix and mode when it has the right shape; null for anything else. */
export function parseToken(token: string): { prefix: string; mode: TokenMode } | null {
  const m = FORMAT.exec(token);
  if (!m) return null;
  return { prefix: `kr_${m[1]}_${m[2]}`, mode: m[1] as TokenMode };
}

/** Constant time over the hashes (always 32 bytes each). */
export function tokenMatches(token: string, storedHash: Buffer | Uint8Array): boolean {
  const h = hashToken(token);
  const stored = Buffer.from(storedHash);
  return stored.length === h.length && crypto.timingSafeEqual(h, stored);
}

/** SHA-256 of a request's canonical text (see domain/idempotency.ts). */
export function requestFingerprint(canonical: string): string {
  return crypto.createHash("sha256").update(canonical, "utf8").digest("hex");
}
