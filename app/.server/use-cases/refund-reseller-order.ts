import { listLineUnits, returnUnseenKey, setUnitStatus, transitionKeys } from "../db/repositories/allocations-repo.ts";
import { emitResellerEvent } from "./emit-reseller-event.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { closeReview } from "../db/repositories/risk-decisions-repo.ts";
import { setOrderStatus } from "../db/repositories/orders-repo.ts";
import { appendLedgerEntry } from "../db/repositories/reseller-ledger-repo.ts";
import { lockReseller } from "../db/repositories/resellers-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { isLive } from "../domain/allocation-plan.ts";
import { decideRelease } from "../domain/refund-policy.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";

export interface ResellerRefund {
  orderId: string;
  creditedMinor: number;
  currency: string;
  released: number;
  alreadyRefunded: boolean;
}

/**
 * The merchant refunds a reseller's order: in one transaction, every unit is released by its
 * pool's refund policy (a key the API handed out is delivered, so it is revoked; a backorder is
 * dropped; an undelivered key under "return if unseen" goes back on sale), the order's total is
 * credited to the reseller's ledger, the order is marked refunded. A second refund changes nothing.
 */
export async function refundResellerOrder(s: Pick<Services, "db" | "jobs" | "config">, accountId: string, orderId: string, actor: Actor): Promise<ResellerRefund> {
  const staged: StagedJob[] = [];
  const result = await s.db.transaction().execute(async (trx): Promise<ResellerRefund> => {
    const now = new Date().toISOString();
    const order = await trx.selectFrom("orders").selectAll().where("account_id", "=", accountId).where("id", "=", orderId).where("reseller_id", "is not", null).executeTakeFirst();
    if (!order) throw new InvalidInputError("order_not_found", "no such reseller order in this account", { field: "orderId", params: { id: orderId } });
    const reseller = await lockReseller(trx, accountId, order.reseller_id!);
    // Re-read under the reseller's lock: two refunds of one order run one after the other.
    const status = (await trx.selectFrom("orders").select("status").where("id", "=", orderId).executeTakeFirstOrThrow()).status;
    const currency = reseller!.currency;
    if (status === "refunded" || status === "cancelled") return { orderId, creditedMinor: 0, currency, released: 0, alreadyRefunded: true };
    // Refunding an order held for review ends the hold: it leaves the queue, and a deny after
    // this finds it refunded (nothing credited twice).
    if (order.risk_decision === "hold" && (await closeReview(trx, accountId, orderId, "denied", { type: actor.type, id: actor.id ?? null }, "refunded", now))) {
      await trx.updateTable("orders").set({ risk_decision: "rejected", updated_at: now }).where("id", "=", orderId).execute();
    }
    const lines = await trx.selectFrom("order_lines").select(["id", "quantity"]).where("order_id", "=", orderId).execute();
    const units = await listLineUnits(trx, lines.map((l) => l.id));
    const pools = new Map((await trx.selectFrom("pools").select(["id", "refund_policy"]).where("account_id", "=", accountId).where("id", "in", [...new Set(units.map((u) => u.poolId)), ""]).execute()).map((p) => [p.id, p.refund_policy]));
    let released = 0;
    let revoked = 0;
    const returned = new Set<string>();
    for (const u of units.filter((x) => isLive(x.status))) {
      const d = decideRelease(u.status, u.keyState, pools.get(u.poolId) ?? "revoke");
      if (!(await setUnitStatus(trx, u.id, u.status, d.unit))) continue;
      if (u.keyId !== null && d.key === "revoke") {
        await transitionKeys(trx, [u.keyId], "revoke", now);
        revoked++;
      }
      if (u.keyId !== null && d.key === "return_to_stock") {
        if (await returnUnseenKey(trx, u.keyId, now)) returned.add(u.poolId);
        else {
          await setUnitStatus(trx, u.id, "returned", "revoked");
          await transitionKeys(trx, [u.keyId], "revoke", now);
          revoked++;
        }
      }
      released++;
    }
    for (const l of lines) await trx.updateTable("order_lines").set({ refunded_quantity: l.quantity }).where("id", "=", l.id).execute();
    await setOrderStatus(trx, orderId, "refunded", now);
    const credit = Number(order.total_minor ?? 0);
    if (credit > 0) {
      await appendLedgerEntry(
        trx,
        { account_id: accountId, reseller_id: reseller!.id, kind: "credit", amount_minor: credit, balance_after_minor: reseller!.balance_minor + credit, currency, order_id: orderId, reason: "refund", actor_type: actor.type, actor_id: actor.id ?? null },
        now,
      );
    }
    for (const poolId of new Set(units.map((u) => u.poolId))) staged.push(await stageStockSync(s, trx, accountId, poolId));
    for (const poolId of returned) staged.push(await s.jobs.stage(trx, "fill-backorders", { accountId, poolId }, { accountId, dedupeKey: `fill-backorders:${poolId}` }));
    if (revoked > 0) staged.push(...(await emitResellerEvent(s, trx, { accountId, resellerId: reseller!.id, type: "key.revoked", data: { order_id: orderId, reference: order.reference ?? null, keys_revoked: revoked }, now })));
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: "reseller.order_refunded", subjectType: "order", subjectId: orderId, details: { resellerId: reseller!.id, creditedMinor: credit, released } });
    return { orderId, creditedMinor: credit, currency, released, alreadyRefunded: false };
  });
  await s.jobs.trigger(staged);
  return result;
}
