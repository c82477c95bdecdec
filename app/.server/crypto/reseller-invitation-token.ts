import crypto from "node:crypto";
import { isInvitationTokenShaped } from "./invitation-token.ts";

/**
 * A reseller portal invitation's token: the team invitation's shape (256 random bits, base64url),
 * hashed under its own label, so a team link's hash can never match a portal invitation's row.
 */
export function newResellerInvitationToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString("base64url");
  return { token, hash: hashResellerInvitationToken(token) };
}

export function hashResellerInvitationToken(token: string): string {
  return crypto.createHash("sha256").update(`keyrelay reseller portal invitation v1\n${token}`).digest("hex");
}

export { isInvitationTokenShaped as isResellerInvitationTokenShaped };
