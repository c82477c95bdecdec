import { localDay } from "./report-day.ts";

/**
 * What one order contributes to the reports, per pool and key batch: the rollups are sums of
 * these, so recomputing an order's facts and applying the difference keeps them exact.
 *
 * - Revenue is the line price × quantity in the order's currency, spread over the line's units
 *   (largest remainder, so the parts add up to the line); a unit without a price is counted as
 *   unpriced, never as zero revenue.
 * - A unit's batch is its key's batch while the buyer has (or had) the key: delivered or revoked.
 *   A returned key went back to stock: no cost. Backordered, dropped and not-yet-allocated units
 *   sit in the batch-less row ('').
 * - Cost is the key's cost when it is in the order's currency; a key without a cost, or with a
 *   cost in another currency, is counted in cost_unknown_units, never as zero cost.
 * - Refunds (money and units) sit in the batch-less row: a pool's margin is net of refunds, a
 *   batch's margin is on what it delivered.
 * - Ignored orders, and orders a risk review denied, contribute nothing. A held order's keys are
 *   claimed but not delivered.
 */

export const REPORT_MEASURES = [
  "orders_total",
  "orders_with_pool",
  "units",
  "revenue_minor",
  "unpriced_units",
  "delivered_units",
  "cost_minor",
  "cost_unknown_units",
  "refunded_units",
  "refunded_minor",
  "revoked_units",
  "returned_units",
  "backordered_units",
  "backorders_opened",
  "backorders_filled",
  "backorder_wait_s",
] as const;

export type Measure = (typeof REPORT_MEASURES)[number];
export type Measures = Record<Measure, number>;

export function zeroMeasures(): Measures {
  return Object.fromEntries(REPORT_MEASURES.map((m) => [m, 0])) as Measures;
}

export function addMeasures(into: Measures, from: Measures, sign = 1): void {
  for (const m of REPORT_MEASURES) into[m] += sign * from[m];
}

export interface FactOrder {
  id: string;
  accountId: string;
  storeId: string | null;
  platform: string | null;
  resellerId: string | null;
  email: string | null;
  customerId: string | null;
  currency: string | null;
  status: string;
  riskDecision: string;
  placedAt: string | null;
  createdAt: string;
}

export interface FactLine {
  id: string;
  poolId: string | null;
  /** The host's product and variant (the product report); absent where only the pool matters. */
  productId?: string | null;
  variantId?: string | null;
  title?: string | null;
  quantity: number;
  refundedQuantity: number;
  unitPriceMinor: number | null;
  unitsPerItem: number;
}

export interface FactUnit {
  lineId: string;
  unitIndex: number;
  status: "allocated" | "backordered" | "revoked" | "returned" | "dropped";
  batchId: string | null;
  costMinor: number | null;
  /** The currency of the key's cost (its batch's, else its pool's). */
  costCurrency: string | null;
  /** When the unit's row was made, and when it got its key (later than made: it waited on backorder). */
  createdAt: string;
  fulfilledAt: string | null;
}

/** The dimensions of a fact row; the rollup key is these minus order and buyer. */
export interface FactDims {
  poolId: string;
  batchId: string;
  day: string;
  storeId: string;
  platform: string;
  channel: string;
  currency: string;
}

export interface FactRow extends FactDims, Measures {
  orderId: string;
  accountId: string;
  buyer: string | null;
  placedAt: string;
  /** Paid → every key committed, in seconds (on the order's first row only); null while any unit waits or the order is held. */
  deliveryS: number | null;
}

export function channelOf(resellerId: string | null): string {
  return resellerId ? `reseller:${resellerId}` : "retail";
}

/** Who bought, for repurchase: the email (case-folded) when there is one, else the host customer. */
export function buyerOf(o: Pick<FactOrder, "email" | "customerId" | "storeId">): string | null {
  const email = o.email?.trim().toLowerCase();
  if (email) return email;
  return o.customerId ? `customer:${o.storeId ?? ""}:${o.customerId}` : null;
}

/** Splits an amount over n parts that add up to it exactly (the first parts take the remainder). */
export function spread(amount: number, n: number): number[] {
  if (n <= 0) return [];
  const base = Math.trunc(amount / n);
  const rest = amount - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < Math.abs(rest) ? Math.sign(rest) : 0));
}

export function computeOrderFacts(order: FactOrder, lines: readonly FactLine[], units: readonly FactUnit[], timeZone: string): FactRow[] {
  if (order.status === "ignored" || order.riskDecision === "rejected") return [];
  const placedAt = order.placedAt ?? order.createdAt;
  const currency = order.currency ?? "";
  const held = order.riskDecision === "hold";
  const base = {
    orderId: order.id,
    accountId: order.accountId,
    buyer: buyerOf(order),
    placedAt,
    day: localDay(placedAt, timeZone),
    storeId: order.storeId ?? "",
    platform: order.resellerId ? "api" : (order.platform ?? ""),
    channel: channelOf(order.resellerId),
    currency,
  };
  const rows = new Map<string, FactRow>();
  const row = (poolId: string, batchId: string): FactRow => {
    const k = `${poolId}\u0000${batchId}`;
    let r = rows.get(k);
    if (!r) {
      r = { ...base, poolId, batchId, deliveryS: null, ...zeroMeasures() };
      rows.set(k, r);
    }
    return r;
  };
  const unitsByLine = new Map<string, FactUnit[]>();
  for (const u of units) {
    const list = unitsByLine.get(u.lineId) ?? [];
    list.push(u);
    unitsByLine.set(u.lineId, list);
  }
  let allKeyed = !held;
  let lastKeyAt = 0;
  for (const line of lines) {
    if (!line.poolId || line.quantity <= 0) continue;
    const unitCount = line.quantity * line.unitsPerItem;
    const byIndex = new Map((unitsByLine.get(line.id) ?? []).map((u) => [u.unitIndex, u]));
    const shares = line.unitPriceMinor === null ? null : spread(line.quantity * line.unitPriceMinor, unitCount);
    for (let i = 0; i < unitCount; i++) {
      const u = byIndex.get(i);
      const keyed = u && u.batchId !== null && (u.status === "allocated" || u.status === "revoked");
      const r = row(line.poolId, keyed ? (u.batchId as string) : "");
      r.units += 1;
      if (shares) r.revenue_minor += shares[i];
      else r.unpriced_units += 1;
      if (u?.status === "allocated" && keyed && !held) r.delivered_units += 1;
      if (u?.status === "revoked") r.revoked_units += 1;
      if (u?.status === "returned") r.returned_units += 1;
      if (u?.status === "backordered") r.backordered_units += 1;
      const keyedAt = u?.fulfilledAt ? Date.parse(u.fulfilledAt) : null;
      const waited = u !== undefined && (u.status === "backordered" || (keyedAt !== null && keyedAt - Date.parse(u.createdAt) >= 1000));
      if (waited) {
        r.backorders_opened += 1;
        if (keyedAt !== null) {
          r.backorders_filled += 1;
          r.backorder_wait_s += Math.round((keyedAt - Date.parse(u.createdAt)) / 1000);
        }
      }
      if (keyedAt === null || u?.status !== "allocated") allKeyed = false;
      else lastKeyAt = Math.max(lastKeyAt, keyedAt);
      if (keyed) {
        if (u.costMinor !== null && (u.costCurrency ?? currency) === currency) r.cost_minor += u.costMinor;
        else r.cost_unknown_units += 1;
      }
    }
    const refundedItems = Math.min(line.refundedQuantity, line.quantity);
    if (refundedItems > 0) {
      const r = row(line.poolId, "");
      r.refunded_units += refundedItems * line.unitsPerItem;
      if (line.unitPriceMinor !== null) r.refunded_minor += refundedItems * line.unitPriceMinor;
    }
  }
  const out = [...rows.values()].sort((a, b) => (a.poolId === b.poolId ? a.batchId.localeCompare(b.batchId) : a.poolId.localeCompare(b.poolId)));
  // An order counts once in the totals and once in each of its pools.
  let lastPool: string | null = null;
  const deliveryS = allKeyed && lastKeyAt > 0 ? Math.max(0, Math.round((lastKeyAt - Date.parse(placedAt)) / 1000)) : null;
  out.forEach((r, i) => {
    if (i === 0) {
      r.orders_total = 1;
      r.deliveryS = deliveryS;
    }
    if (r.poolId !== lastPool) r.orders_with_pool = 1;
    lastPool = r.poolId;
  });
  return out;
}

/** The rollup key of a fact row. */
export function rollupKey(d: FactDims & { accountId: string }): string {
  return [d.accountId, d.day, d.poolId, d.batchId, d.storeId, d.platform, d.channel, d.currency].join("\u0000");
}

/** Old facts out, new facts in: the change each rollup row needs (rows whose change is all zero are left out). */
export function rollupDelta(oldRows: readonly FactRow[], newRows: readonly FactRow[]): Map<string, { dims: FactDims & { accountId: string }; delta: Measures }> {
  const out = new Map<string, { dims: FactDims & { accountId: string }; delta: Measures }>();
  const apply = (r: FactRow, sign: number) => {
    const k = rollupKey(r);
    let e = out.get(k);
    if (!e) {
      e = { dims: { accountId: r.accountId, day: r.day, poolId: r.poolId, batchId: r.batchId, storeId: r.storeId, platform: r.platform, channel: r.channel, currency: r.currency }, delta: zeroMeasures() };
      out.set(k, e);
    }
    addMeasures(e.delta, r, sign);
  };
  for (const r of oldRows) apply(r, -1);
  for (const r of newRows) apply(r, 1);
  for (const [k, e] of out) if (REPORT_MEASURES.every((m) => e.delta[m] === 0)) out.delete(k);
  return out;
}

/** How many fully delivered orders of an account's day took this many seconds (a delivery rollup row). */
export interface DeliveryCount {
  accountId: string;
  day: string;
  seconds: number;
  orders: number;
}

/**
 * The change to the delivery-time counts when an order's facts go from `oldRows` to `newRows`:
 * an order counts once (on its first row, orders_total = 1) when every key was committed.
 */
export function deliveryDelta(oldRows: readonly FactRow[], newRows: readonly FactRow[]): DeliveryCount[] {
  const out = new Map<string, DeliveryCount>();
  const apply = (r: FactRow, sign: number) => {
    if (r.orders_total !== 1 || r.deliveryS === null) return;
    const k = `${r.accountId}\u0000${r.day}\u0000${r.deliveryS}`;
    const e = out.get(k) ?? { accountId: r.accountId, day: r.day, seconds: r.deliveryS, orders: 0 };
    e.orders += sign;
    out.set(k, e);
  };
  for (const r of oldRows) apply(r, -1);
  for (const r of newRows) apply(r, 1);
  return [...out.values()].filter((e) => e.orders !== 0);
}
