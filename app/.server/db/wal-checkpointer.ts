import type SQLite from "better-sqlite3";
import { Worker } from "node:worker_threads";

/**
 * SQLite checkpoints its write-ahead log inside whichever commit pushes it past 1,000 pages: that
 * commit copies the pages into the database file and syncs it to disk, on the app's only thread.
 * Under a burst of webhooks those stalls (tens to hundreds of ms) were most of the tail of the
 * acknowledgement latency. Here a worker thread with its own connection checkpoints every
 * `intervalMs` instead, and the app's connection never does. If the worker dies, the connection
 * goes back to checkpointing itself.
 */
export class WalCheckpointer {
  private readonly worker: Worker;

  private constructor(worker: Worker) {
    this.worker = worker;
  }

  static start(sqlite: SQLite.Database, file: string, intervalMs = 250): WalCheckpointer {
    const worker = new Worker(new URL("./wal-checkpoint-worker.ts", import.meta.url), {
      workerData: { file, intervalMs },
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    const selfCheckpoint = () => {
      if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
    };
    worker.on("message", (m: string) => {
      if (m === "ready" && sqlite.open) sqlite.pragma("wal_autocheckpoint = 0");
    });
    worker.on("error", selfCheckpoint);
    worker.on("exit", selfCheckpoint);
    return new WalCheckpointer(worker);
  }

  /** Stops the worker (its connection closes cleanly); the caller closes its own connection after. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.worker.threadId === -1) return resolve();
      // A worker stuck in a checkpoint must not hold up a shutdown. (This timer also keeps the
      // process waiting for the exit: the worker itself is unref'd.)
      const stuck = setTimeout(() => void this.worker.terminate(), 2_000);
      this.worker.once("exit", () => {
        clearTimeout(stuck);
        resolve();
      });
      this.worker.postMessage("stop");
    });
  }
}
