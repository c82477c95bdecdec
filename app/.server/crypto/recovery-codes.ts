import crypto from "node:crypto";

/**
 * Recovery codes: 10 per admin, each 80 random bits written as 16 base32 characters in groups of
 * four (XXXX-XXXX-XXXX-XXXX). The database keeps only their SHA-256 — 80 bits is far beyond an
 * offline guess — and each is used once.
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // 32 symbols, no 0/O or 1/I

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: count }, () => {
    const bytes = crypto.randomBytes(10); // 80 bits = 16 symbols of 5 bits
    let bits = 0n;
    for (const b of bytes) bits = (bits << 8n) | BigInt(b);
    let out = "";
    for (let i = 0; i < 16; i++) out += ALPHABET[Number((bits >> BigInt(5 * (15 - i))) & 31n)];
    return out.match(/.{4}/g)!.join("-");
  });
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

/** Case, spaces and dashes do not matter: "abcd efgh…" is the same code. */
export function canonicalRecoveryCode(raw: string): string | null {
  const c = raw.replace(/[\s-]/g, "").toUpperCase();
  return /^[A-Z2-9]{16}$/.test(c) ? c : null;
}

export function hashRecoveryCode(code: string): string {
  const c = canonicalRecoveryCode(code) ?? "";
  return crypto.createHash("sha256").update(`keyrelay recovery code v1\n${c}`).digest("hex");
}
