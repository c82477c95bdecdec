import { afterAll, describe, expect, it } from "vitest";
import { Fingerprinter } from "./fingerprint.ts";
import { KeyCipher } from "./key-cipher.ts";
import { decodeKeyPayload } from "./key-payload.ts";
import { KeySealer } from "./key-sealer.ts";

const masterKey = Buffer.alloc(32, 9);
const fingerprintSecret = Buffer.alloc(32, 4);
const cipher = new KeyCipher(masterKey);
const fingerprinter = new Fingerprinter(fingerprintSecret);
const sealer = new KeySealer({ masterKey, fingerprintSecret, cipher, fingerprinter, threads: 2 });
afterAll(() => sealer.close());

describe("KeySealer", () => {
  it("seals on worker threads exactly as inline, in order", async () => {
    const keys = Array.from({ length: 500 }, (_, i) => ({ code: `CODE-${i}`, fields: (i % 2 ? { pin: String(1000 + i) } : {}) as Record<string, string> }));
    const sealed = await sealer.seal({ accountId: "acct-1", keys });
    expect(sealed).toHaveLength(500);
    sealed.forEach((s, i) => {
      expect(s.keyId).toBe(cipher.currentKeyId);
      expect(s.fingerprint.equals(fingerprinter.fingerprint(`CODE-${i}`))).toBe(true);
      const payload = decodeKeyPayload(cipher.openString({ ciphertext: s.ciphertext, keyId: s.keyId }, "acct-1"));
      expect(payload).toEqual(keys[i]);
    });
  });

  it("runs concurrent chunks across workers without mixing them up", async () => {
    const chunks = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((c) => sealer.seal({ accountId: "a", keys: Array.from({ length: 100 }, (_, i) => ({ code: `${c}-${i}`, fields: {} })) })),
    );
    chunks.forEach((chunk, c) => chunk.forEach((s, i) => expect(s.fingerprint.equals(fingerprinter.fingerprint(`${c}-${i}`))).toBe(true)));
  });

  it("seals small requests inline", async () => {
    const [s] = await sealer.seal({ accountId: "a", keys: [{ code: "ONE", fields: {} }] });
    expect(decodeKeyPayload(cipher.openString({ ciphertext: s.ciphertext, keyId: s.keyId }, "a")).code).toBe("ONE");
  });
});
