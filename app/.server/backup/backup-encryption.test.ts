import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { masterKeyId } from "../crypto/key-cipher.ts";
import { BackupDecryptError, decryptFile, encryptFile, readEncryptionHeader } from "./backup-encryption.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-enc-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const plain = path.join(dir, "plain.bin");
// Larger than one stream chunk (64 KiB), and not a multiple of it.
fs.writeFileSync(plain, crypto.randomBytes(300_001));

describe("backup file encryption", () => {
  it("round-trips with a passphrase and refuses a wrong one, leaving no output", async () => {
    const enc = path.join(dir, "p.enc");
    expect(await encryptFile(plain, enc, { kind: "passphrase", passphrase: "correct horse" })).toEqual({ mode: "passphrase" });
    expect(fs.readFileSync(enc).includes(fs.readFileSync(plain).subarray(1000, 1032))).toBe(false);
    const out = path.join(dir, "p.out");
    await decryptFile(enc, out, { kind: "passphrase", passphrase: "correct horse" });
    expect(fs.readFileSync(out).equals(fs.readFileSync(plain))).toBe(true);
    await expect(decryptFile(enc, path.join(dir, "wrong.out"), { kind: "passphrase", passphrase: "wrong horse" })).rejects.toMatchObject({ reason: "wrong_secret" });
    expect(fs.existsSync(path.join(dir, "wrong.out"))).toBe(false);
  });

  it("a changed byte anywhere (header, body, tag) fails authentication", async () => {
    const enc = path.join(dir, "t.enc");
    await encryptFile(plain, enc, { kind: "passphrase", passphrase: "pw" });
    const size = fs.statSync(enc).size;
    for (const at of [9, 60, 1_000, size - 1]) {
      const buf = fs.readFileSync(enc);
      buf[at] ^= 1;
      const bad = path.join(dir, `bad-${at}.enc`);
      fs.writeFileSync(bad, buf);
      await expect(decryptFile(bad, path.join(dir, `bad-${at}.out`), { kind: "passphrase", passphrase: "pw" }), `byte ${at}`).rejects.toBeInstanceOf(BackupDecryptError);
    }
  });

  it("with the master key: names the key it needs, opens with it among several", async () => {
    const k1 = crypto.randomBytes(32);
    const k2 = crypto.randomBytes(32);
    const enc = path.join(dir, "m.enc");
    expect(await encryptFile(plain, enc, { kind: "master-key", keys: [k1] })).toEqual({ mode: "master-key", keyId: masterKeyId(k1) });
    expect(readEncryptionHeader(enc)).toMatchObject({ mode: "master-key", keyId: masterKeyId(k1) });
    await expect(decryptFile(enc, path.join(dir, "m1.out"), { kind: "master-key", keys: [k2] })).rejects.toMatchObject({ reason: "master_key_missing", keyId: masterKeyId(k1) });
    await decryptFile(enc, path.join(dir, "m2.out"), { kind: "master-key", keys: [k2, k1] });
    expect(fs.readFileSync(path.join(dir, "m2.out")).equals(fs.readFileSync(plain))).toBe(true);
  });
});
