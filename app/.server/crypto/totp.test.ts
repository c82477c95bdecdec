import { generateSync } from "otplib";
import { describe, expect, it } from "vitest";
import { KeyCipher } from "./key-cipher.ts";
import { canonicalRecoveryCode, hashRecoveryCode, newRecoveryCodes, RECOVERY_CODE_COUNT } from "./recovery-codes.ts";
import { newTotpSecret, normaliseCode, openTotpSecret, sealTotpSecret, totpStep, totpUri } from "./totp.ts";

// A fixed clock: 2026-01-01T00:00:10Z is 10 s into time step 59_025_600.
const NOW_MS = Date.UTC(2026, 0, 1, 0, 0, 10);
const STEP = Math.floor(NOW_MS / 30_000);
const codeAt = (secret: string, ms: number) => generateSync({ secret, epoch: Math.floor(ms / 1000) });

describe("TOTP", () => {
  const secret = newTotpSecret();

  it("accepts the current code and names its time step", () => {
    expect(totpStep(secret, codeAt(secret, NOW_MS), NOW_MS, null)).toBe(STEP);
  });

  it("accepts one step of clock drift either way, not two", () => {
    expect(totpStep(secret, codeAt(secret, NOW_MS - 30_000), NOW_MS, null)).toBe(STEP - 1);
    expect(totpStep(secret, codeAt(secret, NOW_MS + 30_000), NOW_MS, null)).toBe(STEP + 1);
    expect(totpStep(secret, codeAt(secret, NOW_MS - 90_000), NOW_MS, null)).toBeNull();
    expect(totpStep(secret, codeAt(secret, NOW_MS + 90_000), NOW_MS, null)).toBeNull();
  });

  it("refuses a code whose step was already used, or an older one (replay)", () => {
    const code = codeAt(secret, NOW_MS);
    expect(totpStep(secret, code, NOW_MS, STEP)).toBeNull();
    expect(totpStep(secret, codeAt(secret, NOW_MS - 30_000), NOW_MS, STEP - 1)).toBeNull();
    // The next step's code is still good after this one was used.
    expect(totpStep(secret, codeAt(secret, NOW_MS + 30_000), NOW_MS + 30_000, STEP)).toBe(STEP + 1);
  });

  it("refuses wrong, malformed and another secret's codes", () => {
    const right = codeAt(secret, NOW_MS);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
    expect(totpStep(secret, wrong, NOW_MS, null)).toBeNull();
    expect(totpStep(secret, "12345", NOW_MS, null)).toBeNull();
    expect(totpStep(secret, "abcdef", NOW_MS, null)).toBeNull();
    expect(totpStep(newTotpSecret(), right, NOW_MS, null)).toBeNull();
    expect(normaliseCode(` ${right.slice(0, 3)} ${right.slice(3)} `)).toBe(right);
  });

  it("makes a 160-bit base32 secret and an otpauth URI for authenticator apps", () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri(secret, "owner@example.com"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe(secret);
    expect(uri.searchParams.get("issuer")).toBe("keyrelay");
    expect(decodeURIComponent(uri.pathname)).toContain("owner@example.com");
  });

  it("seals the secret bound to its admin", () => {
    const cipher = new KeyCipher(Buffer.alloc(32, 7));
    const sealed = sealTotpSecret(cipher, "user-1", secret);
    expect(sealed.ciphertext.includes(Buffer.from(secret))).toBe(false);
    const row = { admin_user_id: "user-1", secret_ciphertext: sealed.ciphertext, secret_key_id: sealed.keyId };
    expect(openTotpSecret(cipher, row)).toBe(secret);
    expect(() => openTotpSecret(cipher, { ...row, admin_user_id: "user-2" })).toThrow();
  });
});

describe("recovery codes", () => {
  it("are 10 distinct 80-bit codes, and only their hashes are kept", () => {
    const { codes, hashes } = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const c of codes) expect(c).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    for (const [i, h] of hashes.entries()) {
      expect(h).toMatch(/^[0-9a-f]{64}$/);
      expect(h).not.toContain(codes[i].replace(/-/g, "").toLowerCase());
      expect(hashRecoveryCode(codes[i])).toBe(h);
    }
  });

  it("match however they are typed: case, spaces and dashes", () => {
    const { codes, hashes } = newRecoveryCodes(1);
    const typed = codes[0].toLowerCase().replace(/-/g, " ");
    expect(hashRecoveryCode(typed)).toBe(hashes[0]);
    expect(canonicalRecoveryCode("too-short")).toBeNull();
    expect(canonicalRecoveryCode("OOOO-IIII-1111-0000")).toBeNull();
  });
});
