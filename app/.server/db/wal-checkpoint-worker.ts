/** Worker thread: copies the SQLite write-ahead log back into the database file (see wal-checkpointer.ts). */
import SQLite from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new SQLite(file);
db.pragma("busy_timeout = 1000");

// PASSIVE: copy what no reader still needs, never wait for or block the writer. Once everything
// has been copied, the writer starts the log over from the beginning, so it stays small.
// Under writes that never pause (a bulk import, a report rebuild) PASSIVE never catches up and
// the log grows without bound (seen: 70 GB for a million orders); past LIMIT_FRAMES one TRUNCATE
// waits for the writer's current transaction, copies everything and empties the file.
const LIMIT_FRAMES = 65_536;
const timer = setInterval(() => {
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)") as { busy: number; log: number; checkpointed: number }[];
    if (r && r.log >= LIMIT_FRAMES) db.pragma("wal_checkpoint(TRUNCATE)");
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
