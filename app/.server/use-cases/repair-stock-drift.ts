import { poolSyncKeyPrefix, poolsToSync } from "../db/repositories/stock-sync-repo.ts";
import type { Services } from "../ports.ts";
import { requestVerifySync } from "./schedule-stock-sync.ts";

/**
 * Drift repair, on the worker's schedule (STOCK_DRIFT_INTERVAL_MINUTES): for every pool with
 * synced mappings at a connected store, a "verify" sync reads the host's quantities back and
 * corrects any that differ (someone edited stock by hand on the host, a write was lost); each
 * correction is logged and audited by the sync. Every worker runs this schedule: a pool whose
 * drift check was asked for within the last half interval is skipped, so N workers do not read
 * every host N times.
 */
export async function scheduleStockDriftRepair(s: Pick<Services, "db" | "jobs" | "config">): Promise<number> {
  const since = new Date(Date.now() - s.config.stock.driftIntervalMs / 2).toISOString();
  let asked = 0;
  for (const p of await poolsToSync(s.db)) {
    const recent = await s.db
      .selectFrom("jobs")
      .select("id")
      .where("queue", "=", "sync-stock")
      .where("dedupe_key", "like", `${poolSyncKeyPrefix(p.poolId)}drift:%`)
      .where("created_at", ">=", since)
      .limit(1)
      .executeTakeFirst();
    if (recent) continue;
    await requestVerifySync(s, p.accountId, p.poolId, { retryBroken: false, tag: "drift" });
    asked++;
  }
  return asked;
}
