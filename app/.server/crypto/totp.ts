import { generateSecret, generateURI, verifySync } from "otplib";
import type { AdminTwoFactor } from "../db/schema.ts";
import type { KeyCipher, SealedValue } from "./key-cipher.ts";

/**
 * TOTP (RFC 6238) as every authenticator app speaks it: SHA-1, 6 digits, 30-second steps, a
 * 160-bit secret in base32. A code is accepted for the step before and after the current one (a
 * phone's clock drifts), and only for a step after the last one accepted: each code works once.
 */
export const TOTP_PERIOD_SECONDS = 30;
const TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI the QR code carries: issuer "keyrelay", the admin's email as the label. */
export function totpUri(secret: string, email: string, issuer = "keyrelay"): string {
  return generateURI({ issuer, label: email, secret });
}

/** The time step a 6-digit `code` is valid for at `nowMs`, if it is valid and after `lastStep`; else null. */
export function totpStep(secret: string, code: string, nowMs: number, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const r = verifySync({
    secret,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  if (!r.valid) return null;
  // The TOTP result carries the step; the union type (TOTP | HOTP) does not say so.
  return "timeStep" in r ? (r as { timeStep: number }).timeStep : Math.floor((Math.floor(nowMs / 1000) + r.delta * TOTP_PERIOD_SECONDS) / TOTP_PERIOD_SECONDS);
}

/** Spaces and dashes people type or paste are not part of the code. */
export function normaliseCode(raw: string): string {
  return raw.replace(/[\s-]/g, "");
}

/** The secret is sealed with the master key, bound to the admin's id (a row copied to another admin does not open). */
export function sealTotpSecret(cipher: KeyCipher, adminUserId: string, secret: string): SealedValue {
  return cipher.seal(secret, totpAad(adminUserId));
}

export function openTotpSecret(cipher: KeyCipher, row: Pick<AdminTwoFactor, "admin_user_id" | "secret_ciphertext" | "secret_key_id">): string {
  return cipher.openString({ ciphertext: Buffer.from(row.secret_ciphertext), keyId: row.secret_key_id }, totpAad(row.admin_user_id));
}

export const totpAad = (adminUserId: string) => `admin-totp:${adminUserId}`;
