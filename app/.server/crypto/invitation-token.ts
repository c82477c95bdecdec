import crypto from "node:crypto";

/**
 * An invitation link's token: 256 random bits, base64url (43 characters). The link carries it;
 * the database keeps only its SHA-256, so neither a read of the table nor a guess becomes an
 * account, and single use and expiry are the row's (accepted_at, expires_at).
 */
export function newInvitationToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString("base64url");
  return { token, hash: hashInvitationToken(token) };
}

export function hashInvitationToken(token: string): string {
  return crypto.createHash("sha256").update(`keyrelay team invitation v1\n${token}`).digest("hex");
}

/** Only the shape a real token has: anything else is not looked up at all. */
export function isInvitationTokenShaped(v: unknown): v is string {
  return typeof v === "string" && /^[A-Za-z0-9_-]{43}$/.test(v);
}
