import type { PoolStock } from "../../domain/stock-level.ts";
import type { ProductMapping } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { poolHasBackorders } from "./allocations-repo.ts";
import { countAvailable } from "./pools-repo.ts";

/** Every sync-stock job row of a pool carries this dedupe-key prefix (see schedule-stock-sync.ts). */
export function poolSyncKeyPrefix(poolId: string): string {
  return `sync-stock:${poolId}:`;
}

export async function readPoolStock(db: Executor, poolId: string): Promise<PoolStock> {
  return { available: await countAvailable(db, poolId), backordersWaiting: await poolHasBackorders(db, poolId) };
}

/** The pool's mappings with sync on; paused ones never, broken ones only when asked (sync now). */
export function syncableMappings(db: Executor, poolId: string, opts: { includeBroken: boolean }): Promise<ProductMapping[]> {
  return db
    .selectFrom("product_mappings")
    .selectAll()
    .where("pool_id", "=", poolId)
    .where("sync_stock", "=", 1)
    .where("status", "in", opts.includeBroken ? ["active", "broken"] : ["active"])
    .orderBy("created_at")
    .execute();
}

export async function recordSynced(db: Executor, mappingIds: string[], quantity: number, now: string): Promise<void> {
  if (mappingIds.length === 0) return;
  await db
    .updateTable("product_mappings")
    .set({ last_synced_quantity: quantity, last_synced_at: now, last_sync_error: null, status: "active" })
    .where("id", "in", mappingIds)
    .where("status", "!=", "paused")
    .execute();
}

/** The error is the host's words (never a key: stock calls carry none), cut to fit the admin's column. */
export async function recordSyncError(db: Executor, mappingId: string, status: "active" | "broken", error: string, now: string): Promise<void> {
  await db
    .updateTable("product_mappings")
    .set({ status, last_sync_error: error.slice(0, 500), updated_at: now })
    .where("id", "=", mappingId)
    .where("status", "!=", "paused")
    .execute();
}

/** Other syncs of this pool holding a live claim (a claim older than the lock timeout is a dead worker's). */
export async function runningPoolSyncs(db: Executor, poolId: string, selfJobId: number, liveSince: string): Promise<number[]> {
  const rows = await db
    .selectFrom("jobs")
    .select("id")
    .where("queue", "=", "sync-stock")
    .where("status", "=", "running")
    .where("dedupe_key", "like", `${poolSyncKeyPrefix(poolId)}%`)
    .where("id", "!=", selfJobId)
    .where("locked_at", ">=", liveSince)
    .execute();
  return rows.map((r) => Number(r.id));
}

/** Pools with at least one mapping whose stock is synced, at connected stores. */
export function poolsToSync(db: Executor, filter: { accountId?: string; storeId?: string } = {}): Promise<{ poolId: string; accountId: string }[]> {
  let q = db
    .selectFrom("product_mappings as m")
    .innerJoin("stores as s", "s.id", "m.store_id")
    .select(["m.pool_id as poolId", "m.account_id as accountId"])
    .where("m.sync_stock", "=", 1)
    .where("m.status", "!=", "paused")
    .where("s.status", "=", "active")
    .distinct();
  if (filter.accountId) q = q.where("m.account_id", "=", filter.accountId);
  if (filter.storeId) q = q.where("m.store_id", "=", filter.storeId);
  return q.execute();
}
