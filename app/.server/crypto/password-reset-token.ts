import crypto from "node:crypto";

/**
 * A password reset link's token: 256 random bits, base64url (43 characters). Only the email
 * carries it; the database keeps its SHA-256, so a read of the table resets nobody's password.
 */
export function newPasswordResetToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString("base64url");
  return { token, hash: hashPasswordResetToken(token) };
}

export function hashPasswordResetToken(token: string): string {
  return crypto.createHash("sha256").update(`keyrelay password reset v1\n${token}`).digest("hex");
}

export function isPasswordResetTokenShaped(v: unknown): v is string {
  return typeof v === "string" && /^[A-Za-z0-9_-]{43}$/.test(v);
}

