import type { Services } from "../ports.ts";
import type { BackupHealth } from "../domain/backup-health.ts";
import { getBackupStatus } from "./backup-status.ts";

export interface Readiness {
  ready: boolean;
  database: "ok" | "unreachable";
  /** Reported, not required: with Redis away, work is recorded in the database and swept later. */
  queue: "ok" | "degraded";
  /** Reported, not required either: the last backup's state and time (README, "Backups"). */
  backup: Pick<BackupHealth, "state" | "lastAt" | "lastOkAt" | "errorCode"> | "unknown";
}

/**
 * Ready means this process can take work, which needs the database only: a request records its
 * work as rows, and a queue outage delays triggers without losing them. Taking every web process
 * out of a load balancer because Redis blinked would refuse webhooks that could have been kept.
 */
export async function checkReadiness(s: Pick<Services, "database" | "jobs" | "db" | "config">, timeoutMs = 2_000): Promise<Readiness> {
  const within = (p: Promise<void>) =>
    Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref())]).catch(() => false);
  const [db, queue] = await Promise.all([within(s.database.ping()), within(s.jobs.engine.ping())]);
  let backup: Readiness["backup"] = "unknown";
  if (db) {
    const b = await getBackupStatus(s).catch(() => undefined);
    if (b) backup = { state: b.state, ...(b.lastAt ? { lastAt: b.lastAt } : {}), ...(b.lastOkAt ? { lastOkAt: b.lastOkAt } : {}), ...(b.errorCode ? { errorCode: b.errorCode } : {}) };
  }
  return { ready: db, database: db ? "ok" : "unreachable", queue: queue ? "ok" : "degraded", backup };
}
