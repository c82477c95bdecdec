import type { BackupRunsTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { recordAudit } from "./audit-repo.ts";

export interface BackupRun {
  kind: BackupRunsTable["kind"];
  trigger: BackupRunsTable["trigger"];
  ok: boolean;
  file?: string;
  bytes?: number;
  keys?: number;
  durationMs: number;
  error?: { code: string; params?: Record<string, string | number> };
  startedAt: string;
  finishedAt: string;
}

export async function insertBackupRun(db: Executor, r: BackupRun): Promise<void> {
  await db
    .insertInto("backup_runs")
    .values({
      kind: r.kind,
      trigger: r.trigger,
      ok: r.ok ? 1 : 0,
      file: r.file ?? null,
      bytes: r.bytes ?? null,
      keys: r.keys ?? null,
      duration_ms: Math.round(r.durationMs),
      error_code: r.error?.code ?? null,
      error_params: r.error?.params ? JSON.stringify(r.error.params) : null,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
    })
    .execute();
}

export interface LastBackup {
  ok: boolean;
  file: string | null;
  keys: number | null;
  bytes: number | null;
  durationMs: number;
  errorCode: string | null;
  errorParams: Record<string, string | number> | null;
  finishedAt: string;
}

/** The newest backup made (scheduled or by hand), and the newest that worked. */
export async function lastBackups(db: Executor): Promise<{ last?: LastBackup; lastOk?: LastBackup }> {
  const base = db.selectFrom("backup_runs").selectAll().where("kind", "=", "create").orderBy("finished_at", "desc").orderBy("id", "desc").limit(1);
  const [last, lastOk] = await Promise.all([base.executeTakeFirst(), base.where("ok", "=", 1).executeTakeFirst()]);
  const shape = (r: typeof last): LastBackup | undefined =>
    r && {
      ok: r.ok === 1,
      file: r.file,
      keys: r.keys === null ? null : Number(r.keys),
      bytes: r.bytes === null ? null : Number(r.bytes),
      durationMs: r.duration_ms,
      errorCode: r.error_code,
      errorParams: r.error_params ? JSON.parse(r.error_params) : null,
      finishedAt: r.finished_at,
    };
  return { last: shape(last), lastOk: shape(lastOk) };
}

/**
 * A backup holds every account, so every account's audit trail gets the row (audit_log is per
 * account). Details are counts and names only.
 */
export async function auditBackupForAllAccounts(db: Executor, e: { actorType: "cli" | "system"; action: string; file: string; details: Record<string, unknown> }): Promise<number> {
  const accounts = await db.selectFrom("accounts").select("id").execute();
  for (const a of accounts) {
    await recordAudit(db, { accountId: a.id, actorType: e.actorType, action: e.action, subjectType: "backup", subjectId: e.file, details: e.details });
  }
  return accounts.length;
}
