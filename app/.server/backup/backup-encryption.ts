import crypto from "node:crypto";
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { masterKeyId } from "../crypto/key-cipher.ts";

/**
 * Optional encryption of a backup file: AES-256-GCM, streamed (a backup can be larger than memory).
 * The key is scrypt(passphrase) or HKDF(master key); the header (mode, salt, key id, nonce) is the
 * GCM additional data, so it cannot be altered either.
 *
 *   "KRBKENC1" ‖ mode(1) ‖ salt(16) ‖ master key id(12, ASCII; zeros for a passphrase) ‖ nonce(12) ‖ ciphertext ‖ tag(16)
 *
 * GCM authenticates only at the end, so decryption writes to a file the caller deletes unless it
 * returns: nothing decrypted is used before the tag has been checked.
 */
const MAGIC = Buffer.from("KRBKENC1");
const HEADER_BYTES = MAGIC.length + 1 + 16 + 12 + 12;
const TAG_BYTES = 16;
// 32 MiB of memory per derivation (128 · N · r): slow to guess, fine on a small server.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export type BackupSecret = { kind: "passphrase"; passphrase: string } | { kind: "master-key"; keys: Buffer[] };
export type EncryptionMode = "passphrase" | "master-key";

export class BackupDecryptError extends Error {
  readonly reason: "wrong_secret" | "master_key_missing" | "not_encrypted";
  readonly keyId?: string;
  constructor(reason: BackupDecryptError["reason"], keyId?: string) {
    super(reason);
    this.reason = reason;
    this.keyId = keyId;
  }
}

function deriveKey(mode: EncryptionMode, salt: Buffer, secret: Buffer | string): Buffer {
  if (mode === "passphrase") return crypto.scryptSync(String(secret).normalize("NFC"), salt, 32, SCRYPT);
  return Buffer.from(crypto.hkdfSync("sha256", secret as Buffer, salt, "keyrelay-backup-v1", 32));
}

/** Encrypts `src` into `dest`; returns the mode and (for the master key) its id, for the manifest. */
export async function encryptFile(src: string, dest: string, secret: BackupSecret): Promise<{ mode: EncryptionMode; keyId?: string }> {
  const salt = crypto.randomBytes(16);
  const nonce = crypto.randomBytes(12);
  const mode: EncryptionMode = secret.kind;
  const master = secret.kind === "master-key" ? secret.keys[0] : undefined;
  const keyId = master ? masterKeyId(master) : undefined;
  const header = Buffer.concat([MAGIC, Buffer.from([mode === "passphrase" ? 1 : 2]), salt, keyId ? Buffer.from(keyId, "ascii") : Buffer.alloc(12), nonce]);
  const cipher = crypto.createCipheriv("aes-256-gcm", deriveKey(mode, salt, secret.kind === "passphrase" ? secret.passphrase : master!), nonce);
  cipher.setAAD(header);
  await pipeline(
    fs.createReadStream(src),
    async function* (source) {
      yield header;
      for await (const chunk of source as AsyncIterable<Buffer>) yield cipher.update(chunk);
      yield cipher.final();
      yield cipher.getAuthTag();
    },
    fs.createWriteStream(dest, { mode: 0o600 }),
  );
  return { mode, ...(keyId ? { keyId } : {}) };
}

/** Reads an encrypted file's header: its mode and (master key mode) which master key it needs. */
export function readEncryptionHeader(file: string): { mode: EncryptionMode; keyId?: string; salt: Buffer; header: Buffer } {
  const fd = fs.openSync(file, "r");
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    const n = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    if (n < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupDecryptError("not_encrypted");
    const mode: EncryptionMode = header[MAGIC.length] === 1 ? "passphrase" : "master-key";
    const salt = header.subarray(MAGIC.length + 1, MAGIC.length + 17);
    const keyId = mode === "master-key" ? header.subarray(MAGIC.length + 17, MAGIC.length + 29).toString("ascii") : undefined;
    return { mode, keyId, salt, header };
  } finally {
    fs.closeSync(fd);
  }
}

/** Decrypts `src` into `dest` (0600); a wrong passphrase or any changed byte fails at the tag. */
export async function decryptFile(src: string, dest: string, secret: BackupSecret): Promise<void> {
  const h = readEncryptionHeader(src);
  let keyMaterial: Buffer | string;
  if (h.mode === "passphrase") {
    if (secret.kind !== "passphrase") throw new BackupDecryptError("wrong_secret");
    keyMaterial = secret.passphrase;
  } else {
    const match = secret.kind === "master-key" ? secret.keys.find((k) => masterKeyId(k) === h.keyId) : undefined;
    if (!match) throw new BackupDecryptError("master_key_missing", h.keyId);
    keyMaterial = match;
  }
  const size = fs.statSync(src).size;
  if (size < HEADER_BYTES + TAG_BYTES) throw new BackupDecryptError("wrong_secret");
  const tag = Buffer.alloc(TAG_BYTES);
  const fd = fs.openSync(src, "r");
  try {
    fs.readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    fs.closeSync(fd);
  }
  const decipher = crypto.createDecipheriv("aes-256-gcm", deriveKey(h.mode, h.salt, keyMaterial), h.header.subarray(HEADER_BYTES - 12));
  decipher.setAAD(h.header);
  decipher.setAuthTag(tag);
  try {
    await pipeline(
      size - TAG_BYTES > HEADER_BYTES ? fs.createReadStream(src, { start: HEADER_BYTES, end: size - TAG_BYTES - 1 }) : [Buffer.alloc(0)],
      async function* (source) {
        for await (const chunk of source as AsyncIterable<Buffer>) yield decipher.update(chunk);
        yield decipher.final();
      },
      fs.createWriteStream(dest, { mode: 0o600 }),
    );
  } catch (e) {
    fs.rmSync(dest, { force: true });
    if (/unable to authenticate|Unsupported state/i.test((e as Error).message)) throw new BackupDecryptError("wrong_secret");
    throw e;
  }
}
