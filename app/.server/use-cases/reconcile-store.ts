import { recordAudit } from "../db/repositories/audit-repo.ts";
import { clearStoreAttention, findStoreById, flagStoreAttention } from "../db/repositories/stores-repo.ts";
import { IgnoredError } from "../domain/errors.ts";
import type { JobContext } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import { applyHostOrder } from "./apply-host-order.ts";
import { hostFailure } from "./host-failure.ts";

type Deps = Pick<Services, "db" | "jobs" | "database" | "connectors" | "config">;

/** Pages read per run; a longer backlog continues on the next run from the saved cursor. */
const MAX_PAGES = 20;

/**
 * The `reconcile-store` job: ask the host for paid orders updated since this store's cursor and
 * put each through the same path as a webhook (a no-op for orders already handled), so an order
 * whose webhook never came — WooCommerce never retries a failed delivery — is still delivered.
 * Also checks that keyrelay's webhooks still exist and are enabled on the host, and flags the
 * store for the merchant when they are not.
 */
export async function reconcileStore(s: Deps, payload: { storeId: string }, ctx?: Pick<JobContext, "log">): Promise<{ orders: number; changed: number }> {
  const store = await findStoreById(s.db, payload.storeId);
  if (!store || store.status !== "active") throw new IgnoredError("store_inactive", "the store is not connected");
  const connector = await s.connectors.forStore(store);
  const startedAt = new Date().toISOString();
  let cursor = store.reconcile_cursor;
  const since = store.reconciled_at ?? new Date(Date.now() - s.config.hosts.reconcileLookbackMs).toISOString();
  let orders = 0;
  let changed = 0;
  let finished = false;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await connector.listPaidOrdersSince(cursor, since);
      for (const order of r.orders) {
        const outcome = await applyHostOrder(s, store, order);
        orders++;
        if (outcome.allocated + outcome.backordered + outcome.released > 0) changed++;
      }
      cursor = r.cursor ?? cursor;
      // Saved after every page: a crash resumes here, and re-reading a page is harmless.
      await s.db.updateTable("stores").set({ reconcile_cursor: cursor, updated_at: new Date().toISOString() }).where("id", "=", store.id).execute();
      if (!r.more) {
        finished = true;
        break;
      }
    }
    const health = await connector.checkWebhooks();
    if (!health.ok) {
      if (await flagStoreAttention(s.db, store.id, "webhooks_missing")) {
        await recordAudit(s.db, { accountId: store.account_id, actorType: "system", action: "store.needs_attention", subjectType: "store", subjectId: store.id, details: { reason: "webhooks_missing", problem: health.problem } });
      }
    } else if (store.attention === "webhooks_missing" || store.attention === "credentials_rejected") {
      await clearStoreAttention(s.db, store.id);
      // The host answers again: write-backs parked while it refused us are owed to their buyers.
      if (store.attention === "credentials_rejected") await redeliverParked(s, store);
    }
  } catch (e) {
    return hostFailure(s, store, e);
  }
  // Only a pass that read to the end moves the window on; the next window starts with a fresh
  // cursor (a host's cursor belongs to the query it came from, and the query names `since`).
  // A pass cut short keeps its cursor and window, and the next run continues it.
  if (finished) await s.db.updateTable("stores").set({ reconciled_at: startedAt, reconcile_cursor: null }).where("id", "=", store.id).execute();
  if (changed) ctx?.log.warn({ storeId: store.id, orders, changed }, "reconciliation found orders the webhooks missed");
  return { orders, changed };
}

/** Re-queues the host write-back of this store's orders whose note delivery was parked as failed. */
async function redeliverParked(s: Pick<Services, "db" | "jobs">, store: { id: string; account_id: string }): Promise<void> {
  const parked = await s.db
    .selectFrom("deliveries as d")
    .innerJoin("orders as o", "o.id", "d.order_id")
    .select("o.id")
    .where("o.store_id", "=", store.id)
    .where("d.channel", "=", "note")
    .where("d.status", "=", "failed")
    .limit(1_000)
    .execute();
  for (const o of parked) await s.jobs.enqueue("deliver-order", { orderId: o.id }, { accountId: store.account_id, dedupeKey: `deliver-order:${o.id}` });
}

/** Queues a reconciliation of every connected store (the worker calls this on its schedule). */
export async function scheduleReconciliation(s: Pick<Services, "db" | "jobs">): Promise<number> {
  const stores = await s.db.selectFrom("stores").select(["id", "account_id"]).where("status", "=", "active").execute();
  for (const st of stores) await s.jobs.enqueue("reconcile-store", { storeId: st.id }, { accountId: st.account_id, dedupeKey: `reconcile-store:${st.id}` });
  return stores.length;
}
