import type { HostOrder } from "../../../connectors/host-connector.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Store } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { applyHostOrder, type ApplyOutcome } from "./apply-host-order.ts";
import { hostFailure } from "./host-failure.ts";
import type { Actor } from "./manage-pools.ts";

export type RerunTarget = { orderId: string } | { storeId: string; orderName: string };

/**
 * An admin's "re-run this order": read it from the host as it is now and put it through the same
 * path as a webhook. Safe at any time — units that already have keys keep them, nothing is
 * allocated twice; what changed (payment, refunds, a mapping added since) is applied.
 */
export async function rerunOrder(s: Pick<Services, "db" | "jobs" | "database" | "connectors" | "config">, accountId: string, target: RerunTarget, actor: Actor): Promise<ApplyOutcome> {
  let store: Store | undefined;
  let host: HostOrder | null;
  if ("orderId" in target) {
    const order = await s.db.selectFrom("orders").select(["id", "store_id", "external_id"]).where("account_id", "=", accountId).where("id", "=", target.orderId).executeTakeFirst();
    if (!order?.store_id) throw new InvalidInputError("order_not_found", "no such order", { params: { id: target.orderId } });
    store = await s.db.selectFrom("stores").selectAll().where("id", "=", order.store_id).executeTakeFirst();
    if (!store) throw new InvalidInputError("order_not_found", "no such order", { params: { id: target.orderId } });
    const connector = await s.connectors.forStore(store);
    host = await connector.fetchOrder(order.external_id).catch((e) => hostFailure(s, store!, e));
  } else {
    store = await s.db.selectFrom("stores").selectAll().where("account_id", "=", accountId).where("id", "=", target.storeId).executeTakeFirst();
    if (!store) throw new InvalidInputError("store_not_found", "no such store", { params: { id: target.storeId } });
    const name = target.orderName.trim();
    if (!name) throw new InvalidInputError("order_name_required", "an order number is required", { field: "orderName" });
    const connector = await s.connectors.forStore(store);
    host = await connector.findOrderByName(name).catch((e) => hostFailure(s, store!, e));
  }
  if (!host) throw new InvalidInputError("order_not_on_host", "the store has no such order", { params: { id: "orderId" in target ? target.orderId : target.orderName } });
  const outcome = await applyHostOrder(s, store, host);
  await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "order.rerun", subjectType: "order", subjectId: outcome.orderId, details: { allocated: outcome.allocated, backordered: outcome.backordered, released: outcome.released } });
  return outcome;
}
