import type { Kysely } from "kysely";
import type { Config } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { auditBackupForAllAccounts, insertBackupRun, type BackupRun } from "../db/repositories/backup-runs-repo.ts";
import type { Database } from "../db/schema.ts";

/**
 * Writes a run's record (backup_runs) and its audit rows. Given no handle (the CLI), it opens a
 * short-lived connection of its own. A database that has not been migrated to 0013 yet (a backup
 * taken before an upgrade, on purpose without migrating) gets the audit rows only.
 */
export async function recordBackup(config: Config, db: Kysely<Database> | undefined, run: BackupRun, audit: { action: string; details: Record<string, unknown> }): Promise<void> {
  const own = db ? undefined : openDatabase(config.database.dialect === "sqlite" ? { dialect: "sqlite", file: config.database.file, checkpointer: false } : { dialect: "postgres", url: config.database.url, poolSize: 1 });
  const handle = db ?? own!.db;
  try {
    await insertBackupRun(handle, run).catch((e: unknown) => {
      if (!/no such table|does not exist/.test(String((e as Error)?.message))) throw e;
    });
    await auditBackupForAllAccounts(handle, { actorType: run.trigger === "cli" ? "cli" : "system", action: audit.action, file: run.file ?? "", details: audit.details });
  } finally {
    await own?.close();
  }
}
