/**
 * A set of fingerprints for the dry run's in-file duplicate check, kept in one typed array: 16
 * bytes per entry (the first half of the HMAC — collisions are out of reach at any file size)
 * at ≤ 75% load, instead of ~80 bytes of V8 heap per string in a Set. A 5-million-line preview
 * then needs ~128 MiB outside the heap rather than ~400 MiB inside it, where the processes'
 * --max-old-space-size (package.json) would end it.
 *
 * Open addressing with linear probing; the HMAC is uniform, so its first word is the hash. An
 * all-zero prefix marks an empty slot, so that one (2⁻¹²⁸-likely) value is tracked on the side.
 */
export class FingerprintSet {
  private slots: Uint32Array;
  private mask: number;
  private count = 0;
  private hasZero = false;

  constructor(initialCapacity = 1 << 16) {
    let capacity = 1 << 4;
    while (capacity < initialCapacity) capacity <<= 1;
    this.slots = new Uint32Array(capacity * 4);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count + (this.hasZero ? 1 : 0);
  }

  /** Adds the fingerprint's 16-byte prefix; false when it was already there. */
  add(fingerprint: Uint8Array): boolean {
    if (fingerprint.length < 16) throw new RangeError("a fingerprint has at least 16 bytes");
    const view = new DataView(fingerprint.buffer, fingerprint.byteOffset, 16);
    const a = view.getUint32(0, true);
    const b = view.getUint32(4, true);
    const c = view.getUint32(8, true);
    const d = view.getUint32(12, true);
    if ((a | b | c | d) === 0) {
      if (this.hasZero) return false;
      this.hasZero = true;
      return true;
    }
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    return this.insert(a, b, c, d);
  }

  private insert(a: number, b: number, c: number, d: number): boolean {
    const s = this.slots;
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const o = i * 4;
      if ((s[o] | s[o + 1] | s[o + 2] | s[o + 3]) === 0) {
        s[o] = a;
        s[o + 1] = b;
        s[o + 2] = c;
        s[o + 3] = d;
        this.count += 1;
        return true;
      }
      if (s[o] === a && s[o + 1] === b && s[o + 2] === c && s[o + 3] === d) return false;
    }
  }

  private grow() {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    this.count = 0;
    for (let o = 0; o < old.length; o += 4) {
      if ((old[o] | old[o + 1] | old[o + 2] | old[o + 3]) !== 0) this.insert(old[o], old[o + 1], old[o + 2], old[o + 3]);
    }
  }
}
