import os from "node:os";
import { Worker } from "node:worker_threads";
import type { Fingerprinter } from "./fingerprint.ts";
import type { KeyCipher } from "./key-cipher.ts";
import { sealKeys, unpackSeal, type PackedSeal, type SealedKey, type SealRequest } from "./seal-keys.ts";

/**
 * Seals keys on a pool of worker threads (started on first use, one per core), so an import of a
 * million keys is not bound to one core's ~25 µs per AES-GCM + HMAC. Small requests run inline.
 */
export class KeySealer {
  private readonly cipher: KeyCipher;
  private readonly fingerprinter: Fingerprinter;
  private readonly masterKey: Buffer;
  private readonly fingerprintSecret: Buffer;
  private readonly threads: number;
  private workers: Worker[] = [];
  private next = 0;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (p: PackedSeal) => void; reject: (e: Error) => void }>();

  static readonly INLINE_BELOW = 64;

  constructor(opts: { masterKey: Buffer; fingerprintSecret: Buffer; cipher: KeyCipher; fingerprinter: Fingerprinter; threads?: number }) {
    this.masterKey = opts.masterKey;
    this.fingerprintSecret = opts.fingerprintSecret;
    this.cipher = opts.cipher;
    this.fingerprinter = opts.fingerprinter;
    this.threads = Math.max(1, opts.threads ?? os.availableParallelism());
  }

  async seal(req: SealRequest): Promise<SealedKey[]> {
    if (req.keys.length < KeySealer.INLINE_BELOW) return unpackSeal(sealKeys(this.cipher, this.fingerprinter, req));
    return unpackSeal(await this.dispatch(req));
  }

  private dispatch(req: SealRequest): Promise<PackedSeal> {
    if (this.workers.length === 0) this.start();
    const worker = this.workers[this.next++ % this.workers.length];
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, req });
    });
  }

  private start() {
    for (let i = 0; i < this.threads; i++) {
      const w = new Worker(new URL("./seal-worker.ts", import.meta.url), { workerData: { masterKey: this.masterKey, fingerprintSecret: this.fingerprintSecret } });
      w.unref();
      w.on("message", (m: { id: number; packed?: PackedSeal; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error) p.reject(new Error(`sealing failed: ${m.error}`));
        else p.resolve(m.packed!);
      });
      w.on("error", (e) => {
        for (const [id, p] of this.pending) {
          p.reject(e);
          this.pending.delete(id);
        }
      });
      this.workers.push(w);
    }
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
