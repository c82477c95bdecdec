import { decodeKeyPayload } from "../crypto/key-payload.ts";
import { KeyCipher, masterKeyId } from "../crypto/key-cipher.ts";
import { missingMasterKeys, type BackupManifest, type BackupProblem } from "../domain/backup-manifest.ts";

/** One sealed value read from a copy: opened with the current master keys, then thrown away. */
export interface SealedSample {
  table: "keys" | "system_settings" | "stores";
  id: string;
  keyId: string;
  ciphertext: Buffer;
  /** The value's context (see where it was sealed), without which GCM refuses it. */
  aad: string;
}

/** How many keys verify opens, spread over the table, plus the first one under each master key. */
export const KEY_SAMPLE_SIZE = 64;

export interface MasterKeySet {
  current?: Buffer;
  previous: Buffer[];
}

/**
 * Opens every sample with the loaded master keys. A master key the backup needs but this machine
 * lacks is named once (with how many rows need it), not once per row. Plaintext never leaves here.
 */
export function checkSealedSamples(samples: readonly SealedSample[], manifest: Pick<BackupManifest, "masterKeyIds">, keys: MasterKeySet): { problems: BackupProblem[]; opened: number } {
  const all = [...(keys.current ? [keys.current] : []), ...keys.previous];
  const loaded = all.map(masterKeyId);
  const problems: BackupProblem[] = missingMasterKeys(manifest, loaded).map((keyId) => ({ code: "master_key_missing", params: { keyId, rows: manifest.masterKeyIds[keyId] } }));
  const missing = new Set(problems.map((p) => p.params.keyId));
  const cipher = all.length ? new KeyCipher(all[0], all.slice(1)) : undefined;
  let opened = 0;
  for (const s of samples) {
    if (!loaded.includes(s.keyId)) {
      if (!missing.has(s.keyId)) {
        missing.add(s.keyId);
        problems.push({ code: "master_key_missing", params: { keyId: s.keyId, rows: 1 } });
      }
      continue;
    }
    try {
      const plain = cipher!.open({ ciphertext: s.ciphertext, keyId: s.keyId }, s.aad);
      if (s.table === "keys") decodeKeyPayload(plain.toString("utf8"));
      plain.fill(0);
      opened++;
    } catch {
      problems.push({ code: "decrypt_failed", params: { table: s.table, id: s.id, keyId: s.keyId } });
    }
  }
  return { problems, opened };
}

/** Adds one row's sealed values to a per-master-key tally (shopify tokens carry theirs inline: v1:<id>:…). */
export function tallyKeyIds(into: Record<string, number>, ids: readonly (string | null | undefined)[]): void {
  for (const id of ids) if (id) into[id] = (into[id] ?? 0) + 1;
}

export const tokenKeyId = (token: string | null | undefined) => (token?.startsWith("v1:") ? token.split(":")[1] : undefined);

/** Reservoir sample: a fair spread over a table read once, in order, without holding it. */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  private readonly size: number;
  constructor(size: number) {
    this.size = size;
  }
  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.size) this.items.push(item);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < this.size) this.items[j] = item;
    }
  }
}
