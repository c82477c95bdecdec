import { bucketStart, eachDay, type Bucket, type DayRange } from "./report-day.ts";
import { addMeasures, zeroMeasures, type Measures } from "./report-facts.ts";

/**
 * The figures a report shows, from summed measures. Money is integer minor units of one
 * currency: callers never add two currencies (every group carries its currency).
 */
export interface SalesFigures {
  orders: number;
  units: number;
  revenueMinor: number;
  refundedMinor: number;
  netMinor: number;
  refundedUnits: number;
  /** Refunded units ÷ units sold; null with no sales. */
  refundRate: number | null;
  revokedUnits: number;
  deliveredUnits: number;
  backorderedUnits: number;
  unpricedUnits: number;
}

export function salesFigures(m: Measures, ordersFrom: "orders_total" | "orders_with_pool" = "orders_total"): SalesFigures {
  return {
    orders: m[ordersFrom],
    units: m.units,
    revenueMinor: m.revenue_minor,
    refundedMinor: m.refunded_minor,
    netMinor: m.revenue_minor - m.refunded_minor,
    refundedUnits: m.refunded_units,
    refundRate: m.units > 0 ? round4(m.refunded_units / m.units) : null,
    revokedUnits: m.revoked_units,
    deliveredUnits: m.delivered_units,
    backorderedUnits: m.backordered_units,
    unpricedUnits: m.unpriced_units,
  };
}

export interface MarginFigures {
  units: number;
  deliveredUnits: number;
  revenueMinor: number;
  refundedMinor: number;
  netMinor: number;
  /** Cost of the keys whose cost is known in this currency. */
  costMinor: number;
  /** Keys handed out without a known cost (or with a cost in another currency): not zero cost. */
  costUnknownUnits: number;
  marginMinor: number;
  /** Margin ÷ net revenue; null when there is no revenue. */
  marginPct: number | null;
}

export function marginFigures(m: Measures): MarginFigures {
  const net = m.revenue_minor - m.refunded_minor;
  const margin = net - m.cost_minor;
  return {
    units: m.units,
    deliveredUnits: m.delivered_units,
    revenueMinor: m.revenue_minor,
    refundedMinor: m.refunded_minor,
    netMinor: net,
    costMinor: m.cost_minor,
    costUnknownUnits: m.cost_unknown_units,
    marginMinor: margin,
    marginPct: net !== 0 ? round4(margin / net) : null,
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Share of a part in a whole (for best sellers); null when the whole is zero. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? round4(part / whole) : null;
}

export interface SeriesPoint {
  start: string;
  measures: Measures;
}

/** One currency's series over a range, every bucket present (zeros where nothing sold). */
export function seriesOf(rows: readonly { day: string; measures: Measures }[], range: DayRange, bucket: Bucket): SeriesPoint[] {
  const points = new Map<string, Measures>();
  for (const d of eachDay(range.from, range.to)) {
    const start = bucketStart(d, bucket) < range.from ? range.from : bucketStart(d, bucket);
    if (!points.has(start)) points.set(start, zeroMeasures());
  }
  for (const r of rows) {
    const b = bucketStart(r.day, bucket);
    const start = b < range.from ? range.from : b;
    const into = points.get(start);
    if (into) addMeasures(into, r.measures);
  }
  return [...points.entries()].map(([start, measures]) => ({ start, measures }));
}

/** Change from the previous period, as a ratio; null when the previous figure was zero. */
export function changeRatio(now: number, before: number): number | null {
  return before !== 0 ? round4((now - before) / Math.abs(before)) : null;
}

/** a***@example.com: enough to recognise a buyer you know, not to harvest addresses. */
export function maskBuyer(buyer: string): string {
  if (buyer.startsWith("customer:")) return `customer …${buyer.slice(-4)}`;
  const at = buyer.indexOf("@");
  if (at <= 0) return "***";
  return `${buyer[0]}***${buyer.slice(at)}`;
}

/** The p-th percentile (nearest rank) of a list; null when empty. */
/** The nearest-rank percentile (the smallest value with at least p % of values at or below it) of values given as (value, how many times). */
export function percentileOfCounts(counts: readonly { value: number; count: number }[], p: number): number | null {
  const sorted = counts.filter((c) => c.count > 0).sort((a, b) => a.value - b.value);
  const n = sorted.reduce((s, c) => s + c.count, 0);
  if (n === 0) return null;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  let seen = 0;
  for (const c of sorted) {
    seen += c.count;
    if (rank < seen) return c.value;
  }
  return sorted[sorted.length - 1].value;
}

