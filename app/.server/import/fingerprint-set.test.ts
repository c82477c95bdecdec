import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { FingerprintSet } from "./fingerprint-set.ts";

describe("FingerprintSet", () => {
  it("answers like a Set of the 16-byte prefixes, across many grows", () => {
    const set = new FingerprintSet(16);
    const reference = new Set<string>();
    const seen: Buffer[] = [];
    for (let i = 0; i < 50_000; i++) {
      // Every fourth one repeats an earlier fingerprint.
      const fp = i % 4 === 3 ? seen[(i * 7919) % seen.length] : crypto.randomBytes(32);
      seen.push(fp);
      const key = fp.toString("hex", 0, 16);
      expect(set.add(fp)).toBe(!reference.has(key));
      reference.add(key);
    }
    expect(set.size).toBe(reference.size);
  });

  it("compares all 16 bytes: fingerprints sharing a first word or a slot are different", () => {
    const set = new FingerprintSet(16);
    const a = Buffer.alloc(32, 1);
    const b = Buffer.from(a);
    b[15] = 2; // same first word (same slot), differs in the last prefix byte
    const c = Buffer.from(a);
    c[16] = 9; // differs only after the prefix: the same entry
    expect(set.add(a)).toBe(true);
    expect(set.add(b)).toBe(true);
    expect(set.add(c)).toBe(false);
    expect(set.size).toBe(2);
  });

  it("keeps the all-zero prefix (the empty-slot marker) as a value of its own", () => {
    const set = new FingerprintSet();
    expect(set.add(Buffer.alloc(32))).toBe(true);
    expect(set.add(Buffer.alloc(32))).toBe(false);
    expect(set.size).toBe(1);
  });

  it("reads a fingerprint that is a view into a larger buffer", () => {
    const set = new FingerprintSet();
    const big = crypto.randomBytes(96);
    expect(set.add(big.subarray(32, 64))).toBe(true);
    expect(set.add(Buffer.from(big.subarray(32, 64)))).toBe(false);
  });
});
