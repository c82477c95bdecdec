import crypto from "node:crypto";

/**
 * HMAC-SHA256 fingerprints find duplicates and exact-code lookups without decrypting anything.
 * The HMAC key is derived from the master key (HKDF) so a database dump alone cannot confirm a
 * guessed code.
 */
export class Fingerprinter {
  private readonly key: Buffer;
  constructor(masterKey: Buffer) {
    this.key = Buffer.from(crypto.hkdfSync("sha256", masterKey, Buffer.alloc(0), "keyrelay fingerprint v1", 32));
  }

  fingerprint(normalisedCode: string): Buffer {
    return crypto.createHmac("sha256", this.key).update(normalisedCode, "utf8").digest();
  }
}
