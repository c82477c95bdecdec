/**
 * What /readyz and the dashboard say about backups, from the last runs. Reported, never a reason
 * to be unready: a failed backup must not take the web processes out of the load balancer.
 */
export type BackupState = "off" | "pending" | "ok" | "failed" | "overdue";

export interface BackupRunFacts {
  ok: boolean;
  file: string | null;
  finishedAt: string;
  errorCode: string | null;
}

export interface BackupHealth {
  state: BackupState;
  /** The newest backup made, whatever came of it. */
  lastAt?: string;
  lastFile?: string;
  /** The newest backup that was made and (if it was verified) verified. */
  lastOkAt?: string;
  errorCode?: string;
  keys?: number;
}

export function backupHealth(opts: {
  intervalMs: number;
  now: Date;
  lastCreate?: BackupRunFacts & { keys?: number | null };
  lastOkCreate?: BackupRunFacts;
  /** The newest verify run; it speaks for the create of the same file. */
  lastVerify?: BackupRunFacts;
}): BackupHealth {
  const { lastCreate, lastOkCreate, lastVerify, intervalMs, now } = opts;
  if (!lastCreate) return { state: intervalMs ? "pending" : "off" };
  const verifyOfLast = lastVerify && lastVerify.file === lastCreate.file ? lastVerify : undefined;
  const base: BackupHealth = { state: "ok", lastAt: lastCreate.finishedAt, lastFile: lastCreate.file ?? undefined, ...(lastOkCreate ? { lastOkAt: lastOkCreate.finishedAt } : {}), ...(lastCreate.keys != null ? { keys: lastCreate.keys } : {}) };
  if (!lastCreate.ok) return { ...base, state: "failed", errorCode: lastCreate.errorCode ?? "unexpected" };
  if (verifyOfLast && !verifyOfLast.ok) return { ...base, state: "failed", errorCode: verifyOfLast.errorCode ?? "unexpected", lastOkAt: undefined };
  // Two intervals without a good backup: the schedule is not running (or keeps failing).
  if (intervalMs && now.getTime() - Date.parse(lastCreate.finishedAt) > 2 * intervalMs) return { ...base, state: "overdue" };
  return base;
}
