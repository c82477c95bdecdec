import { recordAudit } from "../db/repositories/audit-repo.ts";
import { poolsToSync } from "../db/repositories/stock-sync-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { requestVerifySync } from "./schedule-stock-sync.ts";

export interface SyncNowTarget {
  /** One mapping's pool; else every synced pool of the store; else of the account. */
  mappingId?: string;
  storeId?: string;
}

/**
 * The merchant's "sync now": a verify sync of the pools concerned, at once, including mappings
 * marked broken (the merchant may have fixed the product on the host). Returns the job ids.
 */
export async function syncStockNow(s: Pick<Services, "db" | "jobs" | "config">, accountId: string, target: SyncNowTarget, actor: Actor): Promise<{ pools: number; jobIds: number[] }> {
  let pools: { poolId: string; accountId: string }[];
  if (target.mappingId) {
    const m = await s.db.selectFrom("product_mappings").select(["pool_id", "sync_stock", "status"]).where("account_id", "=", accountId).where("id", "=", target.mappingId).executeTakeFirst();
    if (!m) throw new InvalidInputError("mapping_not_found", "no such mapping", { params: { id: target.mappingId } });
    if (!m.sync_stock || m.status === "paused") throw new InvalidInputError("mapping_sync_off", "stock sync is off for this mapping");
    pools = [{ poolId: m.pool_id, accountId }];
  } else {
    if (target.storeId) {
      const store = await s.db.selectFrom("stores").select("id").where("account_id", "=", accountId).where("id", "=", target.storeId).executeTakeFirst();
      if (!store) throw new InvalidInputError("store_not_found", "no such store", { field: "storeId", params: { id: target.storeId } });
    }
    pools = await poolsToSync(s.db, { accountId, storeId: target.storeId });
  }
  const jobIds: number[] = [];
  for (const p of pools) jobIds.push((await requestVerifySync(s, accountId, p.poolId, { retryBroken: true, tag: "now" })).id);
  await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "stock.sync_requested", subjectType: target.mappingId ? "mapping" : "store", subjectId: target.mappingId ?? target.storeId, details: { pools: pools.length } });
  return { pools: pools.length, jobIds };
}
