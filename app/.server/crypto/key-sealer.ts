import os from "node:os";
import { Worker } from "node:worker_threads";
import type { Fingerprinter } from "./fingerprint.ts";
import type { KeyCipher } from "./key-cipher.ts";
import { sealKeys, unpackSeal, type PackedSeal, type SealedKey, type SealRequest } from "./seal-keys.ts";

/**
 * Seals keys on a pool of worker threads (started on first use), so an import of a million keys
 * does not add ~10 µs of AES-GCM + HMAC per key to the thread that parses and writes them.
 * Small requests run inline.
 *
 * One worker per core but one: the importing thread keeps a core busy itself (parsing, SQLite
 * inserts), and on 2 cores a second sealer only fought it for the CPU.
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
  private readonly pending = new Map<number, { worker: Worker; resolve: (p: PackedSeal) => void; reject: (e: Error) => void }>();

  static readonly INLINE_BELOW = 64;
  /**
   * A worker's heap only ever holds the chunk in hand (10k keys, a few MiB): tight limits make V8
   * collect early instead of growing each worker's heap to ~80 MiB of garbage.
   */
  static readonly WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 48 };

  constructor(opts: { masterKey: Buffer; fingerprintSecret: Buffer; cipher: KeyCipher; fingerprinter: Fingerprinter; threads?: number }) {
    this.masterKey = opts.masterKey;
    this.fingerprintSecret = opts.fingerprintSecret;
    this.cipher = opts.cipher;
    this.fingerprinter = opts.fingerprinter;
    this.threads = Math.max(1, opts.threads ?? os.availableParallelism() - 1);
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
      this.pending.set(id, { worker, resolve, reject });
      worker.postMessage({ id, req });
    });
  }

  private start() {
    for (let i = 0; i < this.threads; i++) {
      const w = new Worker(new URL("./seal-worker.ts", import.meta.url), {
        workerData: { masterKey: this.masterKey, fingerprintSecret: this.fingerprintSecret },
        resourceLimits: KeySealer.WORKER_LIMITS,
      });
      w.unref();
      w.on("message", (m: { id: number; packed?: PackedSeal; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error) p.reject(new Error(`sealing failed: ${m.error}`));
        else p.resolve(m.packed!);
      });
      // A worker that died (e.g. past its heap limit) fails only its own requests and leaves the
      // pool: the next request starts a fresh set instead of waiting forever on a dead thread.
      const retire = (e: Error) => {
        this.workers = this.workers.filter((x) => x !== w);
        for (const [id, p] of this.pending) {
          if (p.worker !== w) continue;
          this.pending.delete(id);
          p.reject(e);
        }
      };
      w.on("error", retire);
      w.on("exit", (code) => retire(new Error(`sealing worker exited (${code})`)));
      this.workers.push(w);
    }
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
