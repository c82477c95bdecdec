import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Fingerprinter } from "./fingerprint.ts";
import { KeyCipher, masterKeyId } from "./key-cipher.ts";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "./password.ts";
import { loadOrCreateSecretFile } from "./secret-file.ts";

const k1 = Buffer.alloc(32, 1);
const k2 = Buffer.alloc(32, 2);

describe("KeyCipher", () => {
  it("round-trips with a random nonce and the key id", () => {
    const c = new KeyCipher(k1);
    const a = c.seal("ABCDE-12345", "acct");
    const b = c.seal("ABCDE-12345", "acct");
    expect(a.keyId).toBe(masterKeyId(k1));
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.ciphertext.includes(Buffer.from("ABCDE"))).toBe(false);
    expect(c.openString(a, "acct")).toBe("ABCDE-12345");
  });

  it("rejects tampering and a wrong context", () => {
    const c = new KeyCipher(k1);
    const s = c.seal("secret", "acct-a");
    expect(() => c.open(s, "acct-b")).toThrow();
    const bad = Buffer.from(s.ciphertext);
    bad[14] ^= 1;
    expect(() => c.open({ ...s, ciphertext: bad }, "acct-a")).toThrow();
  });

  it("opens values sealed under an older master key after rotation", () => {
    const old = new KeyCipher(k1).seal("v");
    const rotated = new KeyCipher(k2, [k1]);
    expect(rotated.currentKeyId).toBe(masterKeyId(k2));
    expect(rotated.openString(old)).toBe("v");
    expect(() => new KeyCipher(k2).open(old)).toThrow(/not loaded/);
  });
});

describe("Fingerprinter", () => {
  it("is deterministic per master key and differs across keys", () => {
    expect(new Fingerprinter(k1).fingerprint("X").equals(new Fingerprinter(k1).fingerprint("X"))).toBe(true);
    expect(new Fingerprinter(k1).fingerprint("X").equals(new Fingerprinter(k2).fingerprint("X"))).toBe(false);
    expect(new Fingerprinter(k1).fingerprint("X").equals(new Fingerprinter(k1).fingerprint("x"))).toBe(false);
  });
});

describe("passwords", () => {
  it("verifies the right password only", async () => {
    const h = await hashPassword("correct horse battery");
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse battery", h)).toBe(true);
    expect(await verifyPassword("wrong", h)).toBe(false);
    expect(await verifyPassword("anything", DUMMY_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
});

describe("secret files", () => {
  it("creates a 0600 secret once and reads the same one back", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-secret-"));
    const file = path.join(dir, "sub", "master.key");
    const a = loadOrCreateSecretFile(file, 32);
    const b = loadOrCreateSecretFile(file, 32);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(a.secret.equals(b.secret)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.writeFileSync(file, "bad");
    expect(() => loadOrCreateSecretFile(file, 32)).toThrow(/32-byte/);
  });
});
