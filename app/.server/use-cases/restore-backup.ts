import fs from "node:fs";
import path from "node:path";
import { liveProcesses } from "../db/repositories/app-processes-repo.ts";
import type { Config } from "../config.ts";
import { recordBackup } from "../backup/backup-record.ts";
import { postgresLiveData, restorePostgres } from "../backup/postgres-backup.ts";
import { restoreSqlite, sqliteLiveData } from "../backup/sqlite-backup.ts";
import { openDatabase } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { BackupProblem } from "../domain/backup-manifest.ts";
import { InvalidInputError, PermanentError } from "../domain/errors.ts";
import { decryptInto, secretFor, verifyBackup, type VerifyReport } from "./verify-backup.ts";
import { readMasterKeys } from "../crypto/master-keys.ts";
import os from "node:os";

export class BackupVerifyFailedError extends PermanentError {
  static override readonly tag: string = "BackupVerifyFailedError";
  readonly problems: BackupProblem[];
  constructor(report: VerifyReport) {
    super("backup_verify_failed", `the backup did not verify (${report.problems.length} problems); nothing was restored`, { count: report.problems.length });
    this.problems = report.problems;
  }
}

/** A keyrelay process that said it was alive within the last 30 s uses this database: stop it first. */
async function refuseUnderRunningApp(config: Config): Promise<void> {
  if (config.database.dialect === "sqlite" && !fs.existsSync(config.database.file)) return;
  const database = openDatabase(config.database.dialect === "sqlite" ? { dialect: "sqlite", file: config.database.file, checkpointer: false } : { dialect: "postgres", url: config.database.url, poolSize: 1 });
  try {
    const live = await liveProcesses(database.db);
    if (live.length) {
      const p = live[0];
      throw new InvalidInputError("backup_restore_app_running", `keyrelay is running on this database (${p.role} on ${p.host}, pid ${p.pid}): stop it first`, {
        params: { count: live.length, role: p.role, host: p.host, pid: p.pid },
      });
    }
  } finally {
    await database.close();
  }
}

export interface RestoreReport {
  file: string;
  dialect: "sqlite" | "postgres";
  schemaVersion: string;
  replaced: { accounts: number; keys: number; orders: number };
  restored: { accounts: number; keys: number; orders: number };
  migrationsApplied: string[];
  durationMs: number;
}

/**
 * Replaces the configured database with a backup. The backup is verified first (checksums,
 * integrity, counts, this machine's master keys open its sealed values): a backup that would not
 * give a working app is refused before anything is touched. A database that holds accounts or
 * keys is replaced only with `force`. The copy goes in as one transaction on both dialects, then
 * the schema is migrated to this build's version (as start-up would) and the restore is audited.
 */
export async function restoreBackup(config: Config, file: string, opts: { force: boolean; passphrase?: string }): Promise<RestoreReport> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const verified = await verifyBackup(config, file, { passphrase: opts.passphrase });
  if (!verified.ok || !verified.manifest) throw new BackupVerifyFailedError(verified);
  const manifest = verified.manifest;
  if (manifest.dialect !== config.database.dialect) {
    throw new InvalidInputError("backup_dialect_mismatch", `this is a ${manifest.dialect} backup and the configured database is ${config.database.dialect}`, { params: { backup: manifest.dialect, database: config.database.dialect } });
  }
  await refuseUnderRunningApp(config);
  const live = config.database.dialect === "sqlite" ? sqliteLiveData(config.database.file) : await postgresLiveData(config.database.url);
  const replaced = { accounts: live.accounts, keys: live.keys, orders: live.orders };
  if ((replaced.accounts > 0 || replaced.keys > 0) && !opts.force) {
    throw new InvalidInputError("backup_restore_not_empty", `the database is not empty (${replaced.accounts} accounts, ${replaced.keys} keys, ${replaced.orders} orders); pass --force to replace it`, { field: "--force", params: replaced });
  }

  // An encrypted backup is decrypted (again) into a private temporary folder for the restore.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-restore-"));
  try {
    let source = verified.file;
    if (manifest.encryption) {
      source = path.join(tmp, "plain");
      const keys = readMasterKeys({ fromEnv: config.masterKey, previousFromEnv: config.previousMasterKeys, dataDir: config.dataDir });
      const problem = await decryptInto(verified.file, source, secretFor(manifest.encryption.mode, keys, opts.passphrase ?? config.backup.passphrase)!);
      if (problem) throw new BackupVerifyFailedError({ ...verified, ok: false, problems: [problem] });
    }
    if (config.database.dialect === "sqlite") await restoreSqlite(source, config.database.file);
    else await restorePostgres(config.database.url, source, manifest.postgresSchema ?? "public");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const database = openDatabase(config.database.dialect === "sqlite" ? { dialect: "sqlite", file: config.database.file, checkpointer: false } : { dialect: "postgres", url: config.database.url, poolSize: 1 });
  try {
    const migrationsApplied = (await migrateToLatest(database.db, database.dialect)).applied;
    const count = async (t: "accounts" | "keys" | "orders") => Number((await database.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
    const restored = { accounts: await count("accounts"), keys: await count("keys"), orders: await count("orders") };
    const durationMs = performance.now() - t0;
    const name = path.basename(verified.file);
    await recordBackup(
      config,
      database.db,
      { kind: "restore", trigger: "cli", ok: true, file: name, bytes: manifest.files[0]?.bytes, keys: restored.keys, durationMs, startedAt, finishedAt: new Date().toISOString() },
      { action: "backup.restored", details: { file: name, createdAt: manifest.createdAt, schemaVersion: manifest.schemaVersion, replaced, keys: restored.keys, forced: opts.force } },
    );
    return { file: verified.file, dialect: manifest.dialect, schemaVersion: manifest.schemaVersion, replaced, restored, migrationsApplied, durationMs };
  } finally {
    await database.close();
  }
}
