import crypto from "node:crypto";
import { LINK_CODE_ALPHABET, LINK_CODE_LENGTH, formatLinkCode } from "../domain/store-link.ts";

/** A fresh link code (50 random bits in Crockford base32), as shown, and the hash that is stored. */
export function newLinkCode(): { code: string; hash: string } {
  const bytes = crypto.randomBytes(LINK_CODE_LENGTH);
  // 256 is a multiple of 32: taking each byte mod 32 is unbiased.
  const chars = [...bytes].map((b) => LINK_CODE_ALPHABET[b % 32]).join("");
  return { code: formatLinkCode(chars), hash: hashLinkCode(chars) };
}

/** The stored form of a normalised code (domain normaliseLinkCode): its SHA-256, hex. */
export function hashLinkCode(normalised: string): string {
  return crypto.createHash("sha256").update(`keyrelay link code v1\n${normalised}`).digest("hex");
}
