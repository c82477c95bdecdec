import { recordAudit } from "../db/repositories/audit-repo.ts";
import { markDeliveryPending } from "../db/repositories/deliveries-repo.ts";
import { closeReview, getDecision, listHeldDecisions } from "../db/repositories/risk-decisions-repo.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { parseStoreSettings, sendsOwnEmail } from "../domain/store-settings.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { releaseWithheldUnits } from "./risk-gate.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";

type Deps = Pick<Services, "db" | "jobs" | "config">;

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
    const order = await trx.updateTable("orders").set({ risk_decision: "approved", updated_at: now }).where("account_id", "=", accountId).where("id", "=", orderId).returning(["store_id"]).executeTakeFirstOrThrow();
    const jobs: StagedJob[] = [];
    const job = { accountId };
    await markDeliveryPending(trx, accountId, orderId, "note", now);
    jobs.push(await s.jobs.stage(trx, "deliver-order", { orderId }, { ...job, dedupeKey: `deliver-order:${orderId}` }));
    const store = order.store_id ? await findStoreById(trx, order.store_id) : undefined;
    if (store && sendsOwnEmail(store.platform, parseStoreSettings(store.settings))) {
      await markDeliveryPending(trx, accountId, orderId, "email", now);
      jobs.push(await s.jobs.stage(trx, "send-email", { orderId, kind: "delivery" }, { ...job, dedupeKey: `send-email:${orderId}` }));
    }
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.order_approved", subjectType: "order", subjectId: orderId, details: { reason } });
    return jobs;
  });
  await s.jobs.trigger(staged);
  return { orderId, status: "approved" };
}

/** Deny: the keys were never shown, so they go back to stock; nothing is ever delivered. */
export async function denyHeldOrder(s: Deps, accountId: string, orderId: string, actor: Actor, reason: string | null = null): Promise<{ orderId: string; status: "denied"; released: number }> {
  await held(s, accountId, orderId);
  const r = await s.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    if (!(await closeReview(trx, accountId, orderId, "denied", { type: actor.type, id: actor.id ?? null }, reason, now))) throw new InvalidInputError("risk_order_not_held", "this order is not waiting for review", { field: "orderId", params: { id: orderId } });
    await trx.updateTable("orders").set({ risk_decision: "rejected", updated_at: now }).where("account_id", "=", accountId).where("id", "=", orderId).execute();
    const { pools, returned: released } = await releaseWithheldUnits(trx, orderId, now);
    const jobs: StagedJob[] = [];
    for (const poolId of pools) {
      jobs.push(await stageStockSync(s, trx, accountId, poolId));
      jobs.push(await s.jobs.stage(trx, "fill-backorders", { accountId, poolId }, { accountId, dedupeKey: `fill-backorders:${poolId}` }));
    }
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.order_denied", subjectType: "order", subjectId: orderId, details: { reason, released } });
    return { jobs, released };
  });
  await s.jobs.trigger(r.jobs);
  return { orderId, status: "denied", released: r.released };
}
