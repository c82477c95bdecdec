import type { Services } from "../ports.ts";

export interface StoreStockSyncStatus {
  storeId: string;
  name: string;
  platform: "shopify" | "woocommerce";
  /** What needs the merchant's attention on the store (e.g. manage_stock_off), if anything. */
  attention: string | null;
  /** Mappings with stock sync on. */
  mappings: number;
  /** …whose last sync succeeded. */
  synced: number;
  /** …whose last sync failed (will be retried, or waits for the merchant: see the mapping). */
  failing: number;
  broken: number;
  /** Mappings with sync switched off or paused. */
  notSynced: number;
  lastSyncedAt: string | null;
}

export interface StockSyncStatus {
  stores: StoreStockSyncStatus[];
  /** Syncs waiting to run (a coalescing window, a retry after the host said wait). */
  pending: number;
  /** Syncs parked as failed. */
  failedJobs: number;
}

/** Store-wide stock sync status for the dashboard and `stock status`. */
export async function getStockSyncStatus(s: Pick<Services, "db">, accountId: string): Promise<StockSyncStatus> {
  const stores = await s.db.selectFrom("stores").select(["id", "name", "platform", "attention"]).where("account_id", "=", accountId).where("status", "=", "active").orderBy("created_at").execute();
  const rows = await s.db
    .selectFrom("product_mappings")
    .select(["store_id", "sync_stock", "status", "last_sync_error", "last_synced_at"])
    .where("account_id", "=", accountId)
    .execute();
  const jobs = await s.db
    .selectFrom("jobs")
    .select((eb) => ["status", eb.fn.countAll<number>().as("n")])
    .where("queue", "=", "sync-stock")
    .where("account_id", "=", accountId)
    .where("status", "in", ["pending", "running", "failed"])
    .groupBy("status")
    .execute();
  const count = (st: string) => jobs.filter((j) => j.status === st).reduce((n, j) => n + Number(j.n), 0);
  return {
    stores: stores.map((st) => {
      const own = rows.filter((r) => r.store_id === st.id);
      const on = own.filter((r) => r.sync_stock === 1 && r.status !== "paused");
      const last = on.map((r) => r.last_synced_at).filter((t): t is string => !!t).sort().at(-1) ?? null;
      return {
        storeId: st.id,
        name: st.name,
        platform: st.platform,
        attention: st.attention,
        mappings: on.length,
        synced: on.filter((r) => r.status === "active" && !r.last_sync_error && r.last_synced_at).length,
        failing: on.filter((r) => r.status === "active" && r.last_sync_error).length,
        broken: on.filter((r) => r.status === "broken").length,
        notSynced: own.length - on.length,
        lastSyncedAt: last,
      };
    }),
    pending: count("pending") + count("running"),
    failedJobs: count("failed"),
  };
}
