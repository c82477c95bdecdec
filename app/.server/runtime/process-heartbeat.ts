import crypto from "node:crypto";
import type { Kysely } from "kysely";
import { registerProcess, removeProcess, touchProcess } from "../db/repositories/app-processes-repo.ts";
import type { Database } from "../db/schema.ts";
import type { Logger } from "../logger.ts";

/** A third of PROCESS_STALE_MS: two missed beats still count as alive. */
export const HEARTBEAT_MS = 10_000;

/**
 * Registers this process in app_processes and refreshes it until stopped; the row goes on a clean
 * stop. One small write per process every 10 s, nothing on the request path. `backup restore`
 * reads it to refuse replacing the database under a running app.
 */
export async function startHeartbeat(db: Kysely<Database>, role: string, log: Logger, everyMs = HEARTBEAT_MS): Promise<{ stop(): Promise<void> }> {
  const id = crypto.randomUUID();
  await registerProcess(db, { id, role });
  const timer = setInterval(() => {
    touchProcess(db, id).catch((e) => log.warn({ err: (e as Error).message }, "heartbeat failed"));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await removeProcess(db, id).catch(() => {});
    },
  };
}
