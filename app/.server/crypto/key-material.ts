import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { Fingerprinter } from "./fingerprint.ts";
import { KeyCipher } from "./key-cipher.ts";

const FINGERPRINT_SETTING = "fingerprint_key";
const AAD = "system:fingerprint_key";

export class MasterKeyMismatchError extends Error {
  constructor(expected: string, loaded: string) {
    super(
      `The master key does not match this database: its keys were sealed with master key ${expected}, ` +
        `and this process has ${loaded}. Restore KEYRELAY_MASTER_KEY (or data/master.key) from the backup ` +
        `that belongs to this database; a new key would make every stored key unreadable.`,
    );
    this.name = "MasterKeyMismatchError";
  }
}

export interface KeyMaterial {
  cipher: KeyCipher;
  fingerprinter: Fingerprinter;
  /** The fingerprint secret, for worker threads. */
  fingerprintSecret: Buffer;
}

/**
 * The installation's key material. The fingerprint secret is random, created once, and stored in
 * the database sealed under the master key: fingerprints stay the same when the master key rotates
 * (rotation re-seals this one row), and a process started with the wrong master key cannot open it
 * and refuses to start instead of silently sealing new keys under a key nobody else has.
 */
export async function loadKeyMaterial(db: Kysely<Database>, masterKey: Buffer, olderMasterKeys: Buffer[] = []): Promise<KeyMaterial> {
  const cipher = new KeyCipher(masterKey, olderMasterKeys);
  let row = await db.selectFrom("system_settings").selectAll().where("name", "=", FINGERPRINT_SETTING).executeTakeFirst();
  if (!row) {
    const sealed = cipher.seal(crypto.randomBytes(32), AAD);
    await db
      .insertInto("system_settings")
      .values({ name: FINGERPRINT_SETTING, value: sealed.ciphertext, key_id: sealed.keyId, updated_at: new Date().toISOString() })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    // Another process may have won the race: everyone uses the row that is stored.
    row = await db.selectFrom("system_settings").selectAll().where("name", "=", FINGERPRINT_SETTING).executeTakeFirstOrThrow();
  }
  let fingerprintSecret: Buffer;
  try {
    fingerprintSecret = cipher.open({ ciphertext: Buffer.from(row.value), keyId: row.key_id ?? "" }, AAD);
  } catch {
    throw new MasterKeyMismatchError(row.key_id ?? "unknown", cipher.currentKeyId);
  }
  return { cipher, fingerprinter: new Fingerprinter(fingerprintSecret), fingerprintSecret };
}
