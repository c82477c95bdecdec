import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { recordBackup } from "../backup/backup-record.ts";
import { backupsToPrune, manifestNameFor } from "../domain/backup-manifest.ts";
import { KeyrelayError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { createBackup } from "./create-backup.ts";
import { verifyBackup } from "./verify-backup.ts";

export interface ScheduledBackupResult {
  ran: boolean;
  file?: string;
  ok?: boolean;
  pruned?: string[];
}

/**
 * The app's own backups (BACKUP_INTERVAL_HOURS): when the last scheduled one is older than the
 * interval, make one, verify it at once with this process's master keys (a backup without its key
 * is caught the day it is made), record both, then keep the newest BACKUP_KEEP in BACKUP_DIR.
 * Due-ness is read from backup_runs, so a restart does not make an extra one.
 */
export async function runScheduledBackup(s: Pick<Services, "config" | "db" | "log" | "cipher">, now = () => new Date()): Promise<ScheduledBackupResult> {
  if (!s.config.backup.intervalMs) return { ran: false };
  if (s.config.database.dialect === "sqlite") {
    // SQLite lives on one machine: a lock file beside the backups keeps two processes (web and
    // worker on one data folder) from making one each. A lock older than a day is from a crash.
    const lock = path.join(s.config.backup.dir, ".keyrelay-backup.lock");
    fs.mkdirSync(s.config.backup.dir, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx", mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (Date.now() - fs.statSync(lock).mtimeMs < 24 * 3_600_000) return { ran: false };
      fs.rmSync(lock, { force: true });
      return runScheduledBackup(s, now);
    }
    try {
      return await runIfDue(s, now);
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }
  // Several workers on one Postgres: one makes the backup, the others find it done. The lock is
  // per schema (installation) and lives on one connection held for the run.
  return s.db.connection().execute(async (conn) => {
    const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext('keyrelay-backup:' || current_schema())) as ok`.execute(conn);
    if (!got.rows[0]?.ok) return { ran: false };
    try {
      return await runIfDue(s, now);
    } finally {
      await sql`select pg_advisory_unlock(hashtext('keyrelay-backup:' || current_schema()))`.execute(conn);
    }
  });
}

async function runIfDue(s: Pick<Services, "config" | "db" | "log" | "cipher">, now: () => Date): Promise<ScheduledBackupResult> {
  const { intervalMs, dir, keep } = s.config.backup;
  const last = await s.db.selectFrom("backup_runs").select("finished_at").where("kind", "=", "create").where("trigger", "=", "schedule").orderBy("finished_at", "desc").limit(1).executeTakeFirst();
  if (last && now().getTime() - Date.parse(last.finished_at) < intervalMs) return { ran: false };

  let created;
  try {
    // With BACKUP_PASSPHRASE set, scheduled backups are encrypted with it (and verified with it).
    const passphrase = s.config.backup.passphrase;
    created = await createBackup(s.config, { trigger: "schedule", db: s.db, now, ...(passphrase ? { encrypt: { kind: "passphrase" as const, passphrase } } : {}) });
  } catch (e) {
    // createBackup recorded the failure (backup_runs, audit); the log says why, without secrets.
    s.log.error({ code: e instanceof KeyrelayError ? e.code : "unexpected", err: (e as Error).message }, "scheduled backup failed");
    return { ran: true, ok: false };
  }
  const t0 = performance.now();
  const verifyStarted = now().toISOString();
  const v = await verifyBackup(s.config, created.file);
  await recordBackup(
    s.config,
    s.db,
    {
      kind: "verify",
      trigger: "schedule",
      ok: v.ok,
      file: path.basename(created.file),
      bytes: created.bytes,
      keys: v.keys,
      durationMs: performance.now() - t0,
      ...(v.ok ? {} : { error: { code: v.problems[0].code, params: v.problems[0].params } }),
      startedAt: verifyStarted,
      finishedAt: now().toISOString(),
    },
    { action: v.ok ? "backup.verified" : "backup.verify_failed", details: { file: path.basename(created.file), problems: v.problems.map((p) => p.code) } },
  );
  if (!v.ok) s.log.error({ file: created.file, problems: v.problems }, "scheduled backup did not verify");
  else s.log.info({ file: created.file, keys: created.keys, bytes: created.bytes, ms: Math.round(created.durationMs) }, "scheduled backup made and verified");

  const pruned = backupsToPrune(fs.readdirSync(dir), keep);
  for (const name of pruned) {
    fs.rmSync(path.join(dir, name), { force: true });
    fs.rmSync(path.join(dir, manifestNameFor(name)), { force: true });
  }
  return { ran: true, file: created.file, ok: v.ok, pruned };
}
