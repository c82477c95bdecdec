import { Fingerprinter } from "./fingerprint.ts";
import { KeyCipher } from "./key-cipher.ts";
import { encodeKeyPayload, type KeyPayload } from "./key-payload.ts";

/**
 * Seals a chunk of keys for one account: AES-256-GCM ciphertext (bound to the account) and the
 * fingerprint of the normalised code. Results are packed into one buffer so a worker thread can
 * hand them back without copying a million small Buffers.
 */
export interface SealRequest {
  accountId: string;
  /** codes already normalised (normaliseCode) — the fingerprint is of exactly this string */
  keys: KeyPayload[];
}

export interface PackedSeal {
  /** all ciphertexts back to back */
  ciphertexts: Uint8Array;
  /** byte length of each ciphertext, in order */
  lengths: Uint32Array;
  /** 32 bytes per key, in order */
  fingerprints: Uint8Array;
  keyId: string;
}

export function sealKeys(cipher: KeyCipher, fingerprinter: Fingerprinter, req: SealRequest): PackedSeal {
  const parts: Buffer[] = [];
  const lengths = new Uint32Array(req.keys.length);
  // Own ArrayBuffers (not Node's shared Buffer pool), so they can be transferred between threads.
  const fingerprints = new Uint8Array(32 * req.keys.length);
  let keyId = cipher.currentKeyId;
  req.keys.forEach((k, i) => {
    const sealed = cipher.seal(encodeKeyPayload(k), req.accountId);
    keyId = sealed.keyId;
    parts.push(sealed.ciphertext);
    lengths[i] = sealed.ciphertext.length;
    fingerprints.set(fingerprinter.fingerprint(k.code), 32 * i);
  });
  let total = 0;
  for (const p of parts) total += p.length;
  const ciphertexts = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    ciphertexts.set(p, offset);
    offset += p.length;
  }
  return { ciphertexts, lengths, fingerprints, keyId };
}

export interface SealedKey {
  ciphertext: Buffer;
  fingerprint: Buffer;
  keyId: string;
}

export function unpackSeal(p: PackedSeal): SealedKey[] {
  const out: SealedKey[] = [];
  const all = Buffer.from(p.ciphertexts.buffer, p.ciphertexts.byteOffset, p.ciphertexts.byteLength);
  const fps = Buffer.from(p.fingerprints.buffer, p.fingerprints.byteOffset, p.fingerprints.byteLength);
  let offset = 0;
  for (let i = 0; i < p.lengths.length; i++) {
    out.push({
      ciphertext: all.subarray(offset, offset + p.lengths[i]),
      fingerprint: fps.subarray(32 * i, 32 * i + 32),
      keyId: p.keyId,
    });
    offset += p.lengths[i];
  }
  return out;
}
