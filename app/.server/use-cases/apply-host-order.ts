import type { HostOrder } from "../../../connectors/host-connector.ts";
import {
  claimAvailableKeys,
  insertUnits,
  listLineUnits,
  poolHasBackorders,
  returnUnseenKey,
  setUnitStatus,
  transitionKeys,
  type NewUnit,
  type UnitRow,
} from "../db/repositories/allocations-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { findMappingForItem } from "../db/repositories/mappings-repo.ts";
import { bindLineToPool, listOrderLines, setOrderStatus, upsertOrder, upsertOrderLines } from "../db/repositories/orders-repo.ts";
import type { OrderStatus, Store } from "../db/schema.ts";
import { orderFulfilment, planLine, wantedUnits } from "../domain/allocation-plan.ts";
import { decideRelease, type RefundPolicy } from "../domain/refund-policy.ts";
import { parseStoreSettings, sendsOwnEmail } from "../domain/store-settings.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import { refreshLowStock } from "./refresh-low-stock.ts";
import { riskGate } from "./risk-gate.ts";
import { applyWithCard } from "./read-order-card.ts";
import { stageRiskAssessment } from "./write-risk-assessment.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";
import { stageDeliveryJobs } from "./stage-order-delivery.ts";

export interface ApplyOutcome {
  orderId: string;
  status: OrderStatus;
  /** Units that received a key in this run. */
  allocated: number;
  /** Units recorded as waiting for stock in this run. */
  backordered: number;
  /** Units released (refund/cancel) in this run. */
  released: number;
}

type Deps = Pick<Services, "db" | "jobs" | "database" | "config"> & Partial<Pick<Services, "connectors" | "log">>;

/**
 * The one path every host order takes — a webhook, reconciliation, or an admin's re-run — in one
 * database transaction:
 *   upsert the order and its lines → bind each line to its mapping's pool (once) → per line, claim
 *   the units it still needs (one conditional statement per pool; where stock runs out the rest are
 *   backorders) or release the units a refund/cancellation took back (per the pool's policy) →
 *   stage the follow-up work (write-back, email, backorder fill) as job rows in the same transaction.
 * A second run of the same order finds every unit's row and changes nothing: the unique
 * (line, unit) constraint refuses a second allocation even if two runs race.
 */
export async function applyHostOrder(s: Deps, store: Store, host: HostOrder): Promise<ApplyOutcome> {
  // The card, where the account's rules read it, is read from the host before the transaction.
  const applied = await applyWithCard(s, store, host, (o) => s.db.transaction().execute((trx) => applyHostOrderIn(s, trx, store, o)));
  await afterHostOrdersApplied(s, [applied]);
  return applied.outcome;
}

export type ApplyStore = Pick<Store, "id" | "account_id" | "platform" | "settings">;

/** What one order's transaction did, for the caller to act on once it has committed. */
export interface AppliedOrder {
  outcome: ApplyOutcome;
  accountId: string;
  staged: StagedJob[];
  touchedPools: Set<string>;
}

/**
 * After the transaction(s) that applied orders committed: trigger their staged jobs, and alert
 * once per pool whose count crossed below its threshold (a batch of orders checks each pool once).
 */
export async function afterHostOrdersApplied(s: Deps, applied: AppliedOrder[]): Promise<void> {
  await s.jobs.trigger(applied.flatMap((a) => a.staged));
  const pools = new Map<string, string>();
  for (const a of applied) for (const poolId of a.touchedPools) pools.set(poolId, a.accountId);
  for (const [poolId, accountId] of pools) await refreshLowStock(s, accountId, poolId);
}

/**
 * The work of applyHostOrder inside the caller's transaction (a batch of webhook events applies
 * many orders in one transaction, each under its own savepoint). The caller commits, then calls
 * afterHostOrdersApplied.
 */
export async function applyHostOrderIn(s: Pick<Deps, "jobs" | "database" | "config">, trx: Executor, store: ApplyStore, host: HostOrder): Promise<AppliedOrder> {
  const staged: StagedJob[] = [];
  const outcome = await (async () => {
    const now = new Date().toISOString();
    const order = await upsertOrder(
      trx,
      {
        accountId: store.account_id,
        storeId: store.id,
        externalId: host.externalId,
        name: host.name,
        email: host.email,
        customerName: host.customerName,
        customerId: host.customerId ?? null,
        confirmationNumber: host.confirmationNumber ?? null,
        locale: host.locale,
        currency: host.currency,
        totalMinor: host.totalMinor,
        financialStatus: host.financialStatus,
        placedAt: host.placedAt,
      },
      now,
    );
    const lines = await upsertOrderLines(trx, order, host.lines, now);
    for (const [i, line] of lines.entries()) {
      if (line.pool_id) continue;
      const mapping = await findMappingForItem(trx, store.id, line.product_id, line.variant_id);
      if (!mapping) continue;
      // Bound now, or (were it bound meanwhile) as it is: either way the row as stored.
      lines[i] = (await bindLineToPool(trx, line.id, { mappingId: mapping.id, poolId: mapping.pool_id, unitsPerItem: mapping.units_per_item })) ?? (await listOrderLines(trx, order.id)).find((l) => l.id === line.id)!;
    }
    const mapped = lines.filter((l) => l.pool_id !== null);

    // Cancelled and refunded are final: a late "paid" event never brings an order back.
    const ended = order.status === "cancelled" || order.status === "refunded";
    const hostEnded = host.status === "cancelled" || host.status === "refunded";
    const base: ApplyOutcome = { orderId: order.id, status: order.status, allocated: 0, backordered: 0, released: 0 };
    // Not paid yet (or back on hold): nothing to hand out and nothing to take back.
    if (host.status === "unpaid" && !ended) return { outcome: base, touchedPools: new Set<string>() };
    const wantsKeys = !ended && !hostEnded;

    const units = await listLineUnits(trx, mapped.map((l) => l.id));
    const byLine = new Map<string, UnitRow[]>();
    for (const u of units) byLine.set(u.orderLineId, [...(byLine.get(u.orderLineId) ?? []), u]);

    // Refund policies matter only when units are released: read them then, not for every paid order.
    let policies: Map<string, RefundPolicy> | undefined;
    const toClaim = new Map<string, { lineId: string; unitIndex: number }[]>();
    const touchedPools = new Set<string>();
    const returnedPools = new Set<string>();
    for (const line of mapped) {
      const lineUnits = byLine.get(line.id) ?? [];
      const plan = planLine({
        quantity: line.quantity,
        refundedQuantity: line.refunded_quantity,
        unitsPerItem: line.units_per_item,
        orderWantsKeys: wantsKeys,
        units: lineUnits,
      });
      for (const unitIndex of plan.claim) toClaim.set(line.pool_id!, [...(toClaim.get(line.pool_id!) ?? []), { lineId: line.id, unitIndex }]);
      for (const r of plan.release) {
        const row = lineUnits.find((u) => u.unitIndex === r.unitIndex)!;
        policies ??= await poolPolicies(trx, [...new Set(mapped.map((l) => l.pool_id!))]);
        const decision = decideRelease(row.status, row.keyState, policies.get(row.poolId) ?? "revoke");
        if (!(await setUnitStatus(trx, row.id, row.status, decision.unit))) continue;
        if (row.keyId !== null && decision.key === "revoke") await transitionKeys(trx, [row.keyId], "revoke", now);
        if (row.keyId !== null && decision.key === "return_to_stock") {
          if (await returnUnseenKey(trx, row.keyId, now)) {
            returnedPools.add(row.poolId);
          } else {
            // A channel marked the key delivered after we read it: the buyer may see it, so it is
            // revoked, never put back on sale.
            await setUnitStatus(trx, row.id, "returned", "revoked");
            await transitionKeys(trx, [row.keyId], "revoke", now);
          }
        }
        touchedPools.add(row.poolId);
        base.released++;
      }
    }

    const written: Pick<UnitRow, "orderLineId" | "status">[] = [];
    for (const [poolId, wanted] of toClaim) {
      // Backorders are served first in, first out: while older ones wait, a new order waits too
      // (the fill job hands out keys in order), instead of overtaking them.
      const waiting = await poolHasBackorders(trx, poolId);
      const keys = waiting ? [] : await claimAvailableKeys(trx, s.database.dialect, poolId, wanted.length, now);
      const rows: NewUnit[] = wanted.map((w, i) => ({ accountId: store.account_id, orderLineId: w.lineId, unitIndex: w.unitIndex, poolId, keyId: keys[i] ?? null, now }));
      await insertUnits(trx, rows);
      for (const r of rows) written.push({ orderLineId: r.orderLineId, status: r.keyId === null ? "backordered" : "allocated" });
      base.allocated += keys.length;
      base.backordered += wanted.length - keys.length;
      touchedPools.add(poolId);
      // Any new backorder gets a fill attempt: on Postgres a concurrent claim may have skipped keys
      // another transaction held and then released, and those keys must not sit idle.
      if (keys.length < wanted.length) returnedPools.add(poolId);
    }

    // Risk rules decide before anything is shown (risk-gate.ts): a held order stages no write-back or email.
    const gate = await riskGate(s, trx, { order, store, host, lines: mapped, claimed: base.allocated + base.backordered, now });
    if (!gate.deliver && gate.verdict?.action === "block") {
      base.released += base.allocated + base.backordered;
      for (const l of mapped) returnedPools.add(l.pool_id!);
    }

    // Nothing released: the units are the ones read above plus the ones just written.
    const after = base.released === 0 ? [...units, ...written] : await listLineUnits(trx, mapped.map((l) => l.id));
    const status: OrderStatus = host.status === "cancelled" || order.status === "cancelled"
      ? "cancelled"
      : host.status === "refunded" || order.status === "refunded"
        ? "refunded"
        : fulfilmentStatus(mapped, after, wantsKeys);
    await setOrderStatus(trx, order.id, status, now);
    base.status = status;

    if (base.allocated + base.backordered + base.released > 0) {
      const job = { accountId: store.account_id };
      if (gate.deliver) {
        // The email only when there are keys (or a backorder) to tell of, and keyrelay sends it.
        const mails = base.allocated + base.backordered > 0 && sendsOwnEmail(store.platform, parseStoreSettings(store.settings));
        staged.push(...(await stageDeliveryJobs(s, trx, store.account_id, order.id, mails, now)));
      }
      if (gate.waitingForHostRisk) staged.push(await s.jobs.stage(trx, "check-host-risk", { orderId: order.id, attempt: 1 }, { ...job, dedupeKey: `check-host-risk:${order.id}` }));
      // Held or blocked: the verdict has a job of its own (a delivered order's goes with its write-back).
      if (gate.verdict && !gate.deliver && !gate.waitingForHostRisk && store.platform === "shopify") staged.push(await stageRiskAssessment(s, trx, store.account_id, order.id));
      for (const poolId of returnedPools) staged.push(await s.jobs.stage(trx, "fill-backorders", { accountId: store.account_id, poolId }, { ...job, dedupeKey: `fill-backorders:${poolId}` }));
      // Keys claimed, returned or now owed to a backorder: the host's stock follows (coalesced).
      for (const poolId of touchedPools) staged.push(await stageStockSync(s, trx, store.account_id, poolId));
      await recordAudit(trx, {
        accountId: store.account_id,
        actorType: "system",
        action: base.released ? "order.units_released" : "order.allocated",
        subjectType: "order",
        subjectId: order.id,
        details: { allocated: base.allocated, backordered: base.backordered, released: base.released, pools: [...touchedPools] },
      });
    }
    return { outcome: base, touchedPools };
  })();
  return { outcome: outcome.outcome, accountId: store.account_id, staged, touchedPools: outcome.touchedPools };
}

function fulfilmentStatus(lines: { id: string; quantity: number; refunded_quantity: number; units_per_item: number }[], units: Pick<UnitRow, "orderLineId" | "status">[], wantsKeys: boolean): OrderStatus {
  const summary = lines.map((l) => {
    const own = units.filter((u) => u.orderLineId === l.id);
    return {
      wanted: wantedUnits({ quantity: l.quantity, refundedQuantity: l.refunded_quantity, unitsPerItem: l.units_per_item, orderWantsKeys: wantsKeys }),
      allocated: own.filter((u) => u.status === "allocated").length,
      backordered: own.filter((u) => u.status === "backordered").length,
    };
  });
  const f = orderFulfilment(summary);
  return f === "none" ? "ignored" : f;
}

async function poolPolicies(db: Executor, poolIds: string[]): Promise<Map<string, RefundPolicy>> {
  if (poolIds.length === 0) return new Map();
  const rows = await db.selectFrom("pools").select(["id", "refund_policy"]).where("id", "in", poolIds).execute();
  return new Map(rows.map((r) => [r.id, r.refund_policy]));
}
