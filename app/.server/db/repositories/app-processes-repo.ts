import os from "node:os";
import type { Executor } from "./job-rows.ts";

/** How long after its last heartbeat a process counts as gone (a kill -9 leaves its row behind). */
export const PROCESS_STALE_MS = 30_000;

export async function registerProcess(db: Executor, p: { id: string; role: string }): Promise<void> {
  const now = new Date().toISOString();
  await db.insertInto("app_processes").values({ id: p.id, role: p.role, host: os.hostname(), pid: process.pid, started_at: now, seen_at: now }).execute();
}

export async function touchProcess(db: Executor, id: string): Promise<void> {
  await db.updateTable("app_processes").set({ seen_at: new Date().toISOString() }).where("id", "=", id).execute();
}

export async function removeProcess(db: Executor, id: string): Promise<void> {
  await db.deleteFrom("app_processes").where("id", "=", id).execute();
}

/** Processes seen alive recently (a database older than 0013, or a wiped schema, has none). */
export async function liveProcesses(db: Executor, now = new Date()): Promise<{ role: string; host: string; pid: number; seenAt: string }[]> {
  const since = new Date(now.getTime() - PROCESS_STALE_MS).toISOString();
  try {
    const rows = await db.selectFrom("app_processes").select(["role", "host", "pid", "seen_at"]).where("seen_at", ">", since).execute();
    return rows.map((r) => ({ role: r.role, host: r.host, pid: r.pid, seenAt: r.seen_at }));
  } catch (e) {
    if (/no such table|does not exist/.test(String((e as Error).message))) return [];
    throw e;
  }
}
