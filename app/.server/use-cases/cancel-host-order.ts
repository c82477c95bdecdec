import { isHostError } from "../../../connectors/host-error.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { IgnoredError, PermanentError, RetryableError } from "../domain/errors.ts";
import { storeIsInactive } from "../domain/store-status.ts";
import type { Services } from "../ports.ts";

/**
 * The `cancel-host-order` job: a reviewer denied an order and asked for it to be cancelled (and
 * refunded) on the host too — Shopify orderCancel with the refund/restock chosen, WooCommerce
 * status cancelled or a refund. Staged by the deny, so the denial stands whatever the host says;
 * throttled or down → retried; refused (no refund permission, the order cannot be cancelled) →
 * parked with the host's reason and audited, for the merchant to finish by hand.
 */
export async function cancelHostOrder(s: Pick<Services, "db" | "connectors">, p: { orderId: string; refund: boolean; restock: boolean }): Promise<void> {
  const order = await s.db.selectFrom("orders").select(["id", "account_id", "store_id", "external_id", "risk_decision"]).where("id", "=", p.orderId).executeTakeFirst();
  if (!order) return;
  // Only a denied order is cancelled by keyrelay (the job is staged by the deny itself).
  if (order.risk_decision !== "rejected") throw new PermanentError("risk_order_not_denied", `order ${order.id} is not denied`);
  const store = order.store_id ? await findStoreById(s.db, order.store_id) : undefined;
  if (!store || storeIsInactive(store.status)) throw new PermanentError("store_not_connected", "the store is not connected: cancel the order in the store by hand");
  const audit = (action: string, details: Record<string, unknown>) =>
    recordAudit(s.db, { accountId: order.account_id, actorType: "system", action, subjectType: "order", subjectId: order.id, details: { refund: p.refund, restock: p.restock, ...details } });
  try {
    const r = await (await s.connectors.forStore(store)).cancelOrder(order.external_id, { refund: p.refund, restock: p.restock, staffNote: "keyrelay: denied after risk review" });
    await audit("risk.host_order_cancelled", { alreadyCancelled: r.alreadyCancelled });
  } catch (e) {
    if (!isHostError(e)) throw e;
    if (e.kind === "retryable") throw new RetryableError("host_unavailable", e.message, { retryAfterMs: e.retryAfterMs ?? undefined });
    await audit("risk.host_cancel_failed", { kind: e.kind, code: e.code, reason: e.message });
    if (e.kind === "not_found") throw new IgnoredError("host_not_found", e.message);
    throw new PermanentError(`host_${e.kind}`, e.message);
  }
}
