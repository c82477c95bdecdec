import { countJobs } from "../db/repositories/job-rows.ts";
import { AccountScope } from "../db/repositories/account-scope.ts";
import { getAccount } from "../db/repositories/accounts-repo.ts";
import type { Services } from "../ports.ts";
import { getStockSyncStatus, type StoreStockSyncStatus } from "./get-stock-sync-status.ts";
import { countHeldOrders } from "./review-queue.ts";
import { getBackupStatus } from "./backup-status.ts";
import type { BackupHealth } from "../domain/backup-health.ts";

export interface DashboardData {
  accountName: string;
  stores: { id: string; name: string; platform: string; status: string }[];
  pools: { total: number; lowStock: number };
  keys: { available: number; allocated: number; delivered: number };
  ordersLast24h: number;
  jobs: { pending: number; failed: number; engine: string };
  setup: { storeConnected: boolean; poolCreated: boolean; keysImported: boolean };
  /** Stock sync per connected store. */
  stockSync: StoreStockSyncStatus[];
  /** Orders risk rules hold, waiting for a person to approve or deny them. */
  heldForReview: number;
  /** The installation's backups (README, "Backups"): state and times only. */
  backup: Pick<BackupHealth, "state" | "lastAt" | "lastOkAt" | "errorCode"> & { intervalHours: number };
}

export async function getDashboard(s: Pick<Services, "db" | "jobs" | "config">, accountId: string): Promise<DashboardData> {
  const scope = new AccountScope(s.db, accountId);
  const [account, stores, pools, keyCounts, orders, jobs, stockSync, heldForReview, backup] = await Promise.all([
    getAccount(s.db, accountId),
    scope.listStores(),
    scope.listPools(),
    scope.keyCountsByState(),
    scope.countOrdersSince(new Date(Date.now() - 24 * 3600_000).toISOString()),
    countJobs(s.db, { accountId, statuses: ["pending", "running", "failed"] }),
    getStockSyncStatus(s, accountId),
    countHeldOrders(s, accountId),
    getBackupStatus(s),
  ]);
  const lowStock = pools.filter((p) => p.low_stock_alerted_at !== null).length;
  const keys = { available: keyCounts.available ?? 0, allocated: keyCounts.allocated ?? 0, delivered: keyCounts.delivered ?? 0 };
  return {
    accountName: account?.name ?? "",
    stores: stores.map((st) => ({ id: st.id, name: st.name, platform: st.platform, status: st.status })),
    pools: { total: pools.length, lowStock },
    keys,
    ordersLast24h: orders,
    jobs: {
      pending: jobs.filter((j) => j.status === "pending" || j.status === "running").reduce((n, j) => n + j.count, 0),
      failed: jobs.filter((j) => j.status === "failed").reduce((n, j) => n + j.count, 0),
      engine: s.jobs.engine.kind,
    },
    setup: {
      storeConnected: stores.some((st) => st.status === "active"),
      poolCreated: pools.length > 0,
      keysImported: Object.values(keyCounts).some((n) => (n ?? 0) > 0),
    },
    stockSync: stockSync.stores,
    heldForReview,
    backup: { state: backup.state, lastAt: backup.lastAt, lastOkAt: backup.lastOkAt, errorCode: backup.errorCode, intervalHours: backup.intervalHours },
  };
}
