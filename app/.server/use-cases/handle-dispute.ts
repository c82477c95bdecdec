import crypto from "node:crypto";
import { returnUnseenKey, setUnitStatus, transitionKeys } from "../db/repositories/allocations-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { markDeliveryPending } from "../db/repositories/deliveries-repo.ts";
import { closeReview } from "../db/repositories/risk-decisions-repo.ts";
import type { Store } from "../db/schema.ts";
import { decideRelease } from "../domain/refund-policy.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { cardKey } from "../domain/risk-card.ts";
import type { HostCard } from "../../../connectors/host-connector.ts";
import { isHostError } from "../../../connectors/host-error.ts";
import type { Actor } from "./manage-pools.ts";
import { addRiskListEntry } from "./manage-risk-lists.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";

export interface DisputeEvent {
  externalId: string;
  disputeId: string;
  kind: "chargeback" | "inquiry";
  reason: string | null;
}

/**
 * A payment dispute on an order (Shopify disputes/create), once per host dispute. A chargeback
 * takes the money back, so the order's keys are released per each pool's refund policy (a key the
 * buyer has seen is revoked, never sold again; an unseen one goes back to stock where the pool
 * says so) and the host order's keyrelay block is rewritten without them. An inquiry (the bank
 * asks first; it may never become a chargeback) revokes nothing. Either way the order page then
 * offers to block the buyer's email, IP and card. Returns what it did, or null when the order is unknown.
 */
export async function handleDispute(s: Pick<Services, "db" | "jobs" | "config">, store: Pick<Store, "id" | "account_id">, d: DisputeEvent): Promise<{ orderId: string; revoked: number; returned: number; duplicate: boolean } | null> {
  const staged: StagedJob[] = [];
  const result = await s.db.transaction().execute(async (trx) => {
    const order = await trx.selectFrom("orders").select(["id", "account_id"]).where("store_id", "=", store.id).where("external_id", "=", d.externalId).executeTakeFirst();
    if (!order) return null;
    const now = new Date().toISOString();
    const inserted = await trx
      .insertInto("risk_disputes")
      .values({ id: crypto.randomUUID(), account_id: order.account_id, order_id: order.id, external_dispute_id: d.disputeId, kind: d.kind, reason: d.reason, revoked: 0, returned: 0, created_at: now, offer_closed_at: null })
      .onConflict((oc) => oc.columns(["order_id", "external_dispute_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return { orderId: order.id, revoked: 0, returned: 0, duplicate: true };
    let revoked = 0;
    let returned = 0;
    const pools = new Set<string>();
    if (d.kind === "chargeback") {
      const units = await trx
        .selectFrom("allocations as a")
        .innerJoin("order_lines as l", "l.id", "a.order_line_id")
        .innerJoin("pools as p", "p.id", "a.pool_id")
        .leftJoin("keys as k", "k.id", "a.key_id")
        .select(["a.id", "a.status", "a.key_id", "a.pool_id", "k.state as key_state", "p.refund_policy"])
        .where("l.order_id", "=", order.id)
        .where("a.status", "in", ["allocated", "backordered"])
        .execute();
      for (const u of units) {
        const decision = decideRelease(u.status, u.key_id === null ? null : u.key_state, u.refund_policy);
        if (!(await setUnitStatus(trx, u.id, u.status, decision.unit))) continue;
        pools.add(u.pool_id);
        if (u.key_id === null) continue;
        if (decision.key === "return_to_stock" && (await returnUnseenKey(trx, u.key_id, now))) {
          returned++;
          continue;
        }
        // Seen (or seen meanwhile): revoked, so the buyer's chargeback never leaves a usable key on sale.
        if (decision.unit !== "revoked") await setUnitStatus(trx, u.id, decision.unit, "revoked");
        await transitionKeys(trx, [u.key_id], "revoke", now);
        revoked++;
      }
      await trx.updateTable("risk_disputes").set({ revoked, returned }).where("id", "=", inserted.id).execute();
      // A chargeback on an order still held (or waiting for Shopify's risk) ends the hold, as a refund does.
      if (await closeReview(trx, order.account_id, order.id, "denied", { type: "system", id: null }, "chargeback on the host", now, ["held", "waiting"])) {
        await trx.updateTable("orders").set({ risk_decision: "rejected", updated_at: now }).where("id", "=", order.id).execute();
      }
      if (revoked + returned > 0) {
        // The host order's keyrelay block is rewritten without the withdrawn keys.
        await markDeliveryPending(trx, order.account_id, order.id, "note", now);
        staged.push(await s.jobs.stage(trx, "deliver-order", { orderId: order.id }, { accountId: order.account_id, dedupeKey: `deliver-order:${order.id}` }));
      }
      for (const poolId of pools) staged.push(await stageStockSync(s, trx, order.account_id, poolId));
    }
    await recordAudit(trx, {
      accountId: order.account_id,
      actorType: "system",
      action: "risk.dispute_opened",
      subjectType: "order",
      subjectId: order.id,
      details: { dispute: d.disputeId, kind: d.kind, reason: d.reason, revoked, returned },
    });
    return { orderId: order.id, revoked, returned, duplicate: false };
  });
  await s.jobs.trigger(staged);
  return result;
}

/**
 * The card of a disputed order, for the offer to block it: read from the host (outside any
 * transaction) when the order's decision did not read it (its rules read no card), and kept on the
 * order's velocity row. A host without cards, a failed read, or an order never decided: nothing.
 */
export async function recordDisputedCard(s: Pick<Services, "db" | "connectors"> & Partial<Pick<Services, "log">>, store: Store, externalId: string): Promise<void> {
  const row = await s.db
    .selectFrom("orders as o")
    .innerJoin("risk_velocity as v", "v.order_id", "o.id")
    .select(["o.id", "v.card"])
    .where("o.store_id", "=", store.id)
    .where("o.external_id", "=", externalId)
    .executeTakeFirst();
  if (!row || row.card !== null) return;
  let card: HostCard | null = null;
  try {
    card = await (await s.connectors.forStore(store)).fetchOrderCard(externalId);
  } catch (e) {
    if (!isHostError(e)) throw e;
    s.log?.warn({ storeId: store.id, orderId: externalId, err: e.message }, "the disputed order's card could not be read");
  }
  if (card) await s.db.updateTable("risk_velocity").set({ card: cardKey(card), card_brand: card.brand }).where("order_id", "=", row.id).where("card", "is", null).execute();
}

/** The order page's offer after a dispute: block the buyer's email, IP and card (until answered). */
export interface DisputeOffer {
  disputeId: string;
  kind: "chargeback" | "inquiry";
  reason: string | null;
  revoked: number;
  returned: number;
  at: string;
  email: string | null;
  ip: string | null;
  /** The card paid with (`424242…4242`), where the host showed it. */
  card: string | null;
}

export async function disputeOfferOf(s: Pick<Services, "db">, accountId: string, orderId: string): Promise<DisputeOffer | null> {
  const d = await s.db
    .selectFrom("risk_disputes as d")
    .innerJoin("orders as o", "o.id", "d.order_id")
    .leftJoin("risk_velocity as v", "v.order_id", "d.order_id")
    .select(["d.id", "d.kind", "d.reason", "d.revoked", "d.returned", "d.created_at", "o.email", "v.ip", "v.card"])
    .where("d.account_id", "=", accountId)
    .where("d.order_id", "=", orderId)
    .where("d.offer_closed_at", "is", null)
    .orderBy("d.created_at", "desc")
    .executeTakeFirst();
  if (!d) return null;
  return { disputeId: d.id, kind: d.kind, reason: d.reason, revoked: Number(d.revoked), returned: Number(d.returned), at: String(d.created_at), email: d.email?.toLowerCase() ?? null, ip: d.ip ?? null, card: d.card ?? null };
}

/**
 * The merchant's answer to the offer: block the buyer's email and/or IP (block-list entries, each
 * audited as any list entry) or neither; either way the offer closes, audited with the choice.
 */
export async function answerDisputeOffer(
  s: Pick<Services, "db">,
  accountId: string,
  orderId: string,
  choice: { email: boolean; ip: boolean; card?: boolean },
  actor: Actor,
): Promise<{ blocked: { kind: "email" | "ip" | "card"; value: string }[] }> {
  const offer = await disputeOfferOf(s, accountId, orderId);
  if (!offer) throw new InvalidInputError("risk_dispute_no_offer", "this order has no open dispute offer", { field: "orderId", params: { id: orderId } });
  const blocked: { kind: "email" | "ip" | "card"; value: string }[] = [];
  const note = `${offer.kind} on order ${orderId}`;
  if (choice.email && offer.email) blocked.push({ kind: "email", value: (await addRiskListEntry(s, accountId, { kind: "email", value: offer.email, action: "block", note }, actor)).value });
  if (choice.ip && offer.ip) blocked.push({ kind: "ip", value: (await addRiskListEntry(s, accountId, { kind: "ip", value: offer.ip, action: "block", note }, actor)).value });
  if (choice.card && offer.card) blocked.push({ kind: "card", value: (await addRiskListEntry(s, accountId, { kind: "card", value: offer.card, action: "block", note }, actor)).value });
  await s.db.transaction().execute(async (trx) => {
    await trx.updateTable("risk_disputes").set({ offer_closed_at: new Date().toISOString() }).where("id", "=", offer.disputeId).where("offer_closed_at", "is", null).execute();
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.dispute_offer_answered", subjectType: "order", subjectId: orderId, details: { dispute: offer.disputeId, blocked } });
  });
  return { blocked };
}
