/** Worker thread: the SQLite copy and its inspection, so a large VACUUM INTO or integrity_check never blocks the app's thread. */
import { parentPort, workerData } from "node:worker_threads";
import { inspectSqliteFile, snapshotSqlite } from "./sqlite-backup.ts";

const job = workerData as { op: "snapshot"; live: string; dest: string } | { op: "inspect"; file: string; samples: boolean; integrity: boolean };
try {
  if (job.op === "snapshot") {
    snapshotSqlite(job.live, job.dest);
    parentPort!.postMessage({ ok: true, value: inspectSqliteFile(job.dest, { samples: false, integrity: false }) });
  } else {
    parentPort!.postMessage({ ok: true, value: inspectSqliteFile(job.file, { samples: job.samples, integrity: job.integrity }) });
  }
} catch (e) {
  parentPort!.postMessage({ ok: false, message: (e as Error).message, code: (e as { code?: string }).code });
}
