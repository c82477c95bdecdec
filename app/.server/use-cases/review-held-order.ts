import { liveUnitsOfOrder, transitionKeys } from "../db/repositories/allocations-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { setOrderStatus } from "../db/repositories/orders-repo.ts";
import { appendLedgerEntry } from "../db/repositories/reseller-ledger-repo.ts";
import { lockReseller } from "../db/repositories/resellers-repo.ts";
import { emitResellerEvent } from "./emit-reseller-event.ts";
import { closeReview, getDecision, listHeldDecisions } from "../db/repositories/risk-decisions-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { releaseWithheldUnits } from "./risk-gate.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";
import { stageOrderDelivery } from "./stage-order-delivery.ts";
import { stageRiskAssessment } from "./write-risk-assessment.ts";
import type { Executor } from "../db/repositories/job-rows.ts";

/** A review's outcome goes to the Shopify order as keyrelay's new assessment (approved LOW, denied HIGH). */
async function stageRiskAssessmentIfShopify(s: Pick<Services, "jobs">, trx: Executor, accountId: string, orderId: string): Promise<StagedJob | null> {
  const row = await trx.selectFrom("orders as o").innerJoin("stores as st", "st.id", "o.store_id").select("st.platform").where("o.account_id", "=", accountId).where("o.id", "=", orderId).executeTakeFirst();
  return row?.platform === "shopify" ? stageRiskAssessment(s, trx, accountId, orderId) : null;
}

type Deps = Pick<Services, "db" | "jobs" | "config">;

/** An approved reseller order: its claimed keys are delivered now; order.fulfilled once none waits. */
async function releaseResellerOrder(s: Pick<Services, "jobs">, trx: Executor, accountId: string, orderId: string, resellerId: string, reference: string | null, now: string): Promise<StagedJob[]> {
  const units = await liveUnitsOfOrder(trx, orderId);
  await transitionKeys(trx, units.filter((u) => u.status === "allocated" && u.key_id !== null).map((u) => Number(u.key_id)), "deliver", now);
  if (units.some((u) => u.status === "backordered")) return [];
  return emitResellerEvent(s, trx, { accountId, resellerId, type: "order.fulfilled", data: { order_id: orderId, reference, pool: units[0]?.line_pool_id ?? null, quantity: units[0]?.quantity ?? 0 }, now });
}

/**
 * A denied reseller order: the order's total goes back to the reseller's balance (a credit in the
 * ledger, reason "refund") under the reseller's row lock, unless the merchant refunded it already
 * (the refund ended the hold; nothing is credited twice). The order is cancelled; order.denied tells the reseller.
 */
async function creditDeniedResellerOrder(
  s: Pick<Services, "jobs">,
  trx: Executor,
  accountId: string,
  orderId: string,
  resellerId: string,
  order: { reference: string | null; total_minor: number | null },
  actor: Actor,
  now: string,
  jobs: (StagedJob | null)[],
): Promise<{ creditedMinor: number; currency: string }> {
  const reseller = await lockReseller(trx, accountId, resellerId);
  const status = (await trx.selectFrom("orders").select("status").where("id", "=", orderId).executeTakeFirstOrThrow()).status;
  if (!reseller || status === "refunded" || status === "cancelled") return { creditedMinor: 0, currency: reseller?.currency ?? "" };
  const credit = Number(order.total_minor ?? 0);
  if (credit > 0) {
    await appendLedgerEntry(
      trx,
      { account_id: accountId, reseller_id: resellerId, kind: "credit", amount_minor: credit, balance_after_minor: reseller.balance_minor + credit, currency: reseller.currency, order_id: orderId, reason: "refund", actor_type: actor.type, actor_id: actor.id ?? null },
      now,
    );
  }
  await setOrderStatus(trx, orderId, "cancelled", now);
  jobs.push(...(await emitResellerEvent(s, trx, { accountId, resellerId, type: "order.denied", data: { order_id: orderId, reference: order.reference, credited_minor: credit, currency: reseller.currency }, now })));
  return { creditedMinor: credit, currency: reseller.currency };
}

/** The review queue: held orders, oldest first, with the rules that fired and the facts behind them. */
export async function listHeldOrders(s: Pick<Services, "db">, accountId: string) {
  const held = await listHeldDecisions(s.db, accountId);
  if (held.length === 0) return [];
  const orders = new Map(
    (await s.db.selectFrom("orders").select(["id", "name", "email", "total_minor", "currency", "created_at"]).where("account_id", "=", accountId).where("id", "in", held.map((h) => h.order_id)).execute()).map((o) => [o.id, o]),
  );
  return held.map((h) => {
    const o = orders.get(h.order_id);
    return {
      orderId: h.order_id,
      name: o?.name ?? null,
      email: o?.email ?? null,
      totalMinor: o?.total_minor === null || o?.total_minor === undefined ? null : Number(o.total_minor),
      currency: o?.currency ?? null,
      heldAt: h.created_at,
      ruleSetVersion: h.rule_set_version,
      rules: h.matched,
      facts: h.facts,
    };
  });
}

async function held(s: Pick<Services, "db">, accountId: string, orderId: string) {
  const d = await getDecision(s.db, accountId, orderId);
  // Another account's order, or one never held, is "not found" here: nothing to review.
  if (!d || d.review_status !== "held") throw new InvalidInputError("risk_order_not_held", "this order is not waiting for review", { field: "orderId", params: { id: orderId } });
  return d;
}

/** Approve: the order is delivered as usual (write-back, email) from now on. */
export async function approveHeldOrder(s: Deps, accountId: string, orderId: string, actor: Actor, reason: string | null = null): Promise<{ orderId: string; status: "approved" }> {
  await held(s, accountId, orderId);
  const staged = await s.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    if (!(await closeReview(trx, accountId, orderId, "approved", { type: actor.type, id: actor.id ?? null }, reason, now))) throw new InvalidInputError("risk_order_not_held", "this order is not waiting for review", { field: "orderId", params: { id: orderId } });
    const order = await trx.updateTable("orders").set({ risk_decision: "approved", updated_at: now }).where("account_id", "=", accountId).where("id", "=", orderId).returning(["store_id", "reseller_id", "reference"]).executeTakeFirstOrThrow();
    // A reseller's order has no store to write back to: its keys become readable over the API
    // (delivered as of this commit) and its order.fulfilled webhook goes out (once all are there).
    const jobs = order.reseller_id ? await releaseResellerOrder(s, trx, accountId, orderId, order.reseller_id, order.reference, now) : await stageOrderDelivery(s, trx, accountId, orderId, order.store_id, now);
    const assessment = await stageRiskAssessmentIfShopify(s, trx, accountId, orderId);
    if (assessment) jobs.push(assessment);
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.order_approved", subjectType: "order", subjectId: orderId, details: { reason } });
    return jobs;
  });
  await s.jobs.trigger(staged);
  return { orderId, status: "approved" };
}

/** What a reviewer may ask of the host when denying: cancel the order there, refunding and restocking as chosen. */
export interface HostCancelChoice {
  cancel: boolean;
  refund: boolean;
  restock: boolean;
}

export const NO_HOST_CANCEL: HostCancelChoice = { cancel: false, refund: false, restock: false };

/**
 * Deny: the keys were never shown, so they go back to stock; nothing is ever delivered. With
 * `host.cancel` (or `host.refund`, which implies it) the order is also cancelled on the host by
 * the cancel-host-order job, staged in the same transaction.
 */
export async function denyHeldOrder(s: Deps, accountId: string, orderId: string, actor: Actor, reason: string | null = null, host: HostCancelChoice = NO_HOST_CANCEL): Promise<{ orderId: string; status: "denied"; released: number; hostCancel: boolean; resellerCredit?: { creditedMinor: number; currency: string } }> {
  const cancel = host.cancel || host.refund;
  await held(s, accountId, orderId);
  const r = await s.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    if (!(await closeReview(trx, accountId, orderId, "denied", { type: actor.type, id: actor.id ?? null }, reason, now))) throw new InvalidInputError("risk_order_not_held", "this order is not waiting for review", { field: "orderId", params: { id: orderId } });
    const order = await trx.updateTable("orders").set({ risk_decision: "rejected", updated_at: now }).where("account_id", "=", accountId).where("id", "=", orderId).returning(["reseller_id", "reference", "total_minor", "status"]).executeTakeFirstOrThrow();
    const { pools, returned: released } = await releaseWithheldUnits(trx, orderId, now);
    const jobs: (StagedJob | null)[] = [];
    // A reseller's order: no store to cancel on; its debit is credited back (once: only the
    // transaction that closed the review gets here).
    const credited = order.reseller_id ? await creditDeniedResellerOrder(s, trx, accountId, orderId, order.reseller_id, order, actor, now, jobs) : null;
    for (const poolId of pools) {
      jobs.push(await stageStockSync(s, trx, accountId, poolId));
      jobs.push(await s.jobs.stage(trx, "fill-backorders", { accountId, poolId }, { accountId, dedupeKey: `fill-backorders:${poolId}` }));
    }
    if (cancel && !order.reseller_id) jobs.push(await s.jobs.stage(trx, "cancel-host-order", { orderId, refund: host.refund, restock: host.restock }, { accountId, dedupeKey: `cancel-host-order:${orderId}` }));
    jobs.push(await stageRiskAssessmentIfShopify(s, trx, accountId, orderId));
    await recordAudit(trx, {
      accountId,
      actorType: actor.type,
      actorId: actor.id ?? null,
      action: "risk.order_denied",
      subjectType: "order",
      subjectId: orderId,
      details: { reason, released, hostCancel: cancel && !order.reseller_id ? { refund: host.refund, restock: host.restock } : null, ...(credited !== null ? { resellerId: order.reseller_id, creditedMinor: credited.creditedMinor } : {}) },
    });
    return { jobs: jobs.filter((j): j is StagedJob => j !== null), released, reseller: order.reseller_id !== null, credited };
  });
  await s.jobs.trigger(r.jobs);
  return { orderId, status: "denied", released: r.released, hostCancel: cancel && !r.reseller, ...(r.credited !== null ? { resellerCredit: r.credited } : {}) };
}
