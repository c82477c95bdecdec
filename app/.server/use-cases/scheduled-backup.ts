import fs from "node:fs";
import path from "node:path";
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
  const { intervalMs, dir, keep } = s.config.backup;
  if (!intervalMs) return { ran: false };
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
