/** Worker thread: copies the SQLite write-ahead log back into the database file (see wal-checkpointer.ts). */
import SQLite from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new SQLite(file);
db.pragma("busy_timeout = 1000");

// PASSIVE: copy what no reader still needs, never wait for or block the writer. Once everything
// has been copied, the writer starts the log over from the beginning, so it stays small.
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or locked for a moment (a schema change, a long write): the next tick tries again.
  }
}, intervalMs);

parentPort!.on("message", (m: string) => {
  if (m !== "stop") return;
  clearInterval(timer);
  db.close();
  // Nothing else keeps this thread: closing the port lets it end, and the app sees "exit".
  parentPort!.close();
});
parentPort!.postMessage("ready");
