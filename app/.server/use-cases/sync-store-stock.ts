import type { HostConnector, InventoryFailure, InventoryItem } from "../../../connectors/host-connector.ts";
import { isHostError } from "../../../connectors/host-error.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { recordSynced, recordSyncError } from "../db/repositories/stock-sync-repo.ts";
import { clearStoreAttention, flagStoreAttention } from "../db/repositories/stores-repo.ts";
import type { ProductMapping, Store } from "../db/schema.ts";
import { KeyrelayError } from "../domain/errors.ts";
import { hostQuantity, mappingAfterFailure, needsWrite, type PoolStock, type SyncMode } from "../domain/stock-level.ts";
import type { Logger } from "../logger.ts";
import type { Services } from "../ports.ts";

type Deps = Pick<Services, "db" | "connectors">;

export interface StoreSyncOutcome {
  written: number;
  corrected: number;
  failed: number;
  /** The whole store call failed retryably (throttled, 5xx, network): retry the job after this. */
  retryAfterMs: number | null;
  retryMessage: string | null;
  /** Some items failed retryably: ask for another sync. */
  again: boolean;
}

const keyOf = (i: { productId: string; variantId: string | null }) => `${i.productId}\u0000${i.variantId ?? ""}`;
const itemOf = (m: ProductMapping): InventoryItem => ({ productId: m.product_id, variantId: m.variant_id || null });

/**
 * Brings one store's mapped items of one pool to the pool's level. "changes": write the items
 * whose level moved since their last sync. "verify": read the host first and write only where it
 * differs, logging and auditing each correction (a hand edit on the host, or a lost update).
 * Per-item failures mark only that mapping; a failure of the whole call marks this store's
 * mappings and is returned, so other stores of the pool still sync.
 */
export async function syncStoreStock(s: Deps, store: Store, mappings: ProductMapping[], stock: PoolStock, mode: SyncMode, log: Logger): Promise<StoreSyncOutcome> {
  const out: StoreSyncOutcome = { written: 0, corrected: 0, failed: 0, retryAfterMs: null, retryMessage: null, again: false };
  const now = () => new Date().toISOString();
  const desired = new Map(mappings.map((m) => [m.id, hostQuantity(stock, m.units_per_item)]));
  const byItem = new Map(mappings.map((m) => [keyOf(itemOf(m)), m]));
  const fail = async (m: ProductMapping, f: Pick<InventoryFailure, "kind" | "reason">) => {
    const after = mappingAfterFailure(f.kind);
    await recordSyncError(s.db, m.id, after.status, f.reason, now());
    out.failed++;
    if (after.retry) out.again = true;
    if (after.status === "broken" && m.status !== "broken") {
      log.warn({ mappingId: m.id, storeId: store.id, reason: f.reason }, "stock sync: mapping broken");
      await recordAudit(s.db, { accountId: store.account_id, actorType: "system", action: "mapping.sync_broken", subjectType: "mapping", subjectId: m.id, details: { storeId: store.id, reason: f.reason } });
    }
  };
  if (store.status !== "active") {
    for (const m of mappings) await fail(m, { kind: "invalid", reason: `the store is ${store.status}` });
    return out;
  }

  let connector: HostConnector;
  let toWrite: ProductMapping[] = [];
  try {
    connector = await s.connectors.forStore(store);
    if (mode === "verify") {
      const read = await connector.getInventory(mappings.map(itemOf));
      for (const f of read.failed) if (byItem.has(keyOf(f))) await fail(byItem.get(keyOf(f))!, f);
      for (const r of read.levels) {
        const m = byItem.get(keyOf(r));
        if (!m) continue;
        if (r.quantity === desired.get(m.id)) await recordSynced(s.db, [m.id], r.quantity, now());
        else toWrite.push(m);
      }
      for (const m of toWrite) {
        const found = read.levels.find((r) => keyOf(r) === keyOf(itemOf(m)))!.quantity;
        // A correction is logged and audited: the host showed something keyrelay did not set
        // (someone edited stock by hand, or a write was lost).
        log.warn({ mappingId: m.id, storeId: store.id, hostQuantity: found, expected: desired.get(m.id), lastSynced: m.last_synced_quantity }, "stock drift corrected");
        await recordAudit(s.db, { accountId: store.account_id, actorType: "system", action: "stock.drift_corrected", subjectType: "mapping", subjectId: m.id, details: { storeId: store.id, found, set: desired.get(m.id), lastSynced: m.last_synced_quantity } });
      }
      out.corrected = toWrite.length;
    } else {
      toWrite = mappings.filter((m) => needsWrite({ lastSyncedQuantity: m.last_synced_quantity, lastSyncError: m.last_sync_error }, desired.get(m.id)!));
    }
    if (toWrite.length === 0) return out;
    const result = await connector.setInventory(toWrite.map((m) => ({ ...itemOf(m), quantity: desired.get(m.id)! })));
    const failures = new Map(result.failed.map((f) => [keyOf(f), f]));
    for (const m of toWrite) {
      const f = failures.get(keyOf(itemOf(m)));
      if (f) await fail(m, f);
      else {
        await recordSynced(s.db, [m.id], desired.get(m.id)!, now());
        out.written++;
      }
    }
    for (const t of result.trackingEnabled) {
      const m = byItem.get(keyOf(t));
      log.warn({ mappingId: m?.id, storeId: store.id }, "stock sync: inventory tracking was off on the host; turned it on");
      if (m) await s.db.updateTable("product_mappings").set({ tracking_enabled_at: now() }).where("id", "=", m.id).execute();
      await recordAudit(s.db, { accountId: store.account_id, actorType: "system", action: "stock.tracking_enabled", subjectType: "mapping", subjectId: m?.id, details: { storeId: store.id, productId: t.productId, variantId: t.variantId } });
    }
    await updateManageStockAttention(s, store, result.failed.some((f) => f.kind === "not_managed"), out.written > 0);
  } catch (e) {
    const targets = toWrite.length ? toWrite : mappings;
    const message = e instanceof Error ? e.message : String(e);
    if (isHostError(e) && e.kind === "retryable") {
      for (const m of targets) await recordSyncError(s.db, m.id, "active", `retrying: ${message}`, now());
      return { ...out, retryAfterMs: e.retryAfterMs ?? 0, retryMessage: message };
    }
    if (isHostError(e) && e.kind === "unauthorized" && (await flagStoreAttention(s.db, store.id, "credentials_rejected"))) {
      await recordAudit(s.db, { accountId: store.account_id, actorType: "system", action: "store.needs_attention", subjectType: "store", subjectId: store.id, details: { reason: "credentials_rejected", status: e.status } });
    }
    // Not a host answer and not ours (a database hiccup): let the job retry as a whole.
    if (!isHostError(e) && !(e instanceof KeyrelayError)) throw e;
    for (const m of targets) await recordSyncError(s.db, m.id, "active", message, now());
    out.failed += targets.length;
  }
  return out;
}

/**
 * WooCommerce ignores stock fields while its store-wide "Enable stock management" is off: the
 * store is flagged so the merchant sees one clear warning; a later successful write clears it.
 */
async function updateManageStockAttention(s: Deps, store: Store, notManaged: boolean, wrote: boolean): Promise<void> {
  if (notManaged) {
    if (await flagStoreAttention(s.db, store.id, "manage_stock_off")) {
      await recordAudit(s.db, { accountId: store.account_id, actorType: "system", action: "store.needs_attention", subjectType: "store", subjectId: store.id, details: { reason: "manage_stock_off" } });
    }
  } else if (wrote && store.attention === "manage_stock_off") {
    await clearStoreAttention(s.db, store.id);
  }
}
