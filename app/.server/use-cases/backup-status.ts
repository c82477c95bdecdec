import { latestBackupRuns } from "../db/repositories/backup-runs-repo.ts";
import { backupHealth, type BackupHealth } from "../domain/backup-health.ts";
import type { Services } from "../ports.ts";

/** The backups' state for /readyz and the dashboard (installation-wide: no account data in it). */
export async function getBackupStatus(s: Pick<Services, "config" | "db">, now = new Date()): Promise<BackupHealth & { intervalHours: number }> {
  const runs = await latestBackupRuns(s.db);
  return { ...backupHealth({ intervalMs: s.config.backup.intervalMs, now, ...runs }), intervalHours: s.config.backup.intervalMs / 3_600_000 };
}
