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

export interface BackupRunRow {
  ok: boolean;
  file: string | null;
  keys: number | null;
  finishedAt: string;
  errorCode: string | null;
}

/** The newest create, the newest create that worked, and the newest verify. */
export async function latestBackupRuns(db: Executor): Promise<{ lastCreate?: BackupRunRow; lastOkCreate?: BackupRunRow; lastVerify?: BackupRunRow }> {
  const newest = (kind: "create" | "verify") => db.selectFrom("backup_runs").select(["ok", "file", "keys", "finished_at", "error_code"]).where("kind", "=", kind).orderBy("finished_at", "desc").orderBy("id", "desc").limit(1);
  const [c, okc, v] = await Promise.all([newest("create").executeTakeFirst(), newest("create").where("ok", "=", 1).executeTakeFirst(), newest("verify").executeTakeFirst()]);
  const shape = (r: typeof c): BackupRunRow | undefined => r && { ok: r.ok === 1, file: r.file, keys: r.keys === null ? null : Number(r.keys), finishedAt: r.finished_at, errorCode: r.error_code };
  return { lastCreate: shape(c), lastOkCreate: shape(okc), lastVerify: shape(v) };
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
