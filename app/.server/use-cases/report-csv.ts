import { formatAmount } from "../domain/reseller-price.ts";
import { csvLine } from "../domain/spreadsheet-safety.ts";
import type { DeliveryReport, MarginReport, ProductReport, RepurchaseReport, SalesReport } from "./get-reports.ts";

/**
 * Reports as CSV: UTF-8 with a byte order mark (Excel then opens Chinese names correctly),
 * every cell neutralised against formula injection, money as a decimal amount beside its
 * currency (one currency per row, never summed across currencies), rates as decimals.
 */
const BOM = "\uFEFF";

function doc(header: string[], rows: (string | number | null | undefined)[][]): string {
  return BOM + [header, ...rows].map((r) => csvLine(r)).join("\r\n") + "\r\n";
}

const rate = (x: number | null) => (x === null ? "" : x.toFixed(4));

export function salesCsv(r: SalesReport): string {
  const rows = r.currencies.flatMap((c) =>
    c.rows.map((row) => [
      row.key,
      row.label,
      row.platform ?? "",
      c.currency,
      row.orders,
      row.units,
      formatAmount(row.revenueMinor, c.currency),
      formatAmount(row.refundedMinor, c.currency),
      formatAmount(row.netMinor, c.currency),
      row.refundedUnits,
      rate(row.refundRate),
      row.revokedUnits,
      row.deliveredUnits,
      row.backorderedUnits,
      row.unpricedUnits,
      rate(row.shareOfRevenue),
    ]),
  );
  return doc(
    [r.groupBy, "name", "platform", "currency", "orders", "units", "revenue", "refunded", "net", "refunded_units", "refund_rate", "revoked_units", "delivered_units", "backordered_units", "unpriced_units", "share_of_revenue"],
    rows,
  );
}

export function marginCsv(r: MarginReport): string {
  const rows = r.currencies.flatMap((c) =>
    c.rows.map((row) => [
      row.key,
      row.label,
      row.supplier ?? "",
      c.currency,
      row.units,
      row.deliveredUnits,
      formatAmount(row.revenueMinor, c.currency),
      formatAmount(row.refundedMinor, c.currency),
      formatAmount(row.netMinor, c.currency),
      formatAmount(row.costMinor, c.currency),
      row.costUnknownUnits,
      formatAmount(row.marginMinor, c.currency),
      rate(row.marginPct),
    ]),
  );
  return doc([r.groupBy, "name", "supplier", "currency", "units", "delivered_units", "revenue", "refunded", "net", "cost", "keys_without_cost", "margin", "margin_rate"], rows);
}

export function repurchaseCsv(r: RepurchaseReport): string {
  const pools = r.pools.map((p) => ["pool", p.poolId, p.label, p.buyers, p.repeatBuyers, p.medianDaysBetween ?? "", ""]);
  const buyers = r.topBuyers.map((b) => ["buyer", "", b.buyer, 1, b.orders, "", `${b.firstDay}..${b.lastDay}`]);
  return doc(["row", "pool", "name", "buyers", "repeat_buyers_or_orders", "median_days_between", "days"], [["total", "", "", r.buyers, r.repeatBuyers, "", `${r.range.from}..${r.range.to}`], ...pools, ...buyers]);
}

export function deliveryCsv(r: DeliveryReport): string {
  const cell = (x: number | null) => (x === null ? "" : x);
  return doc(
    ["day", "orders_delivered", "p50_seconds", "p95_seconds", "backorders_opened", "backorders_filled", "mean_backorder_wait_seconds"],
    r.days.map((d) => [d.day, d.orders, cell(d.p50Seconds), cell(d.p95Seconds), d.backordersOpened, d.backordersFilled, cell(d.meanWaitSeconds)]),
  );
}

export function productsCsv(r: ProductReport): string {
  return doc(
    ["store", "product_id", "variant_id", "title", "currency", "orders", "units", "revenue", "share_of_revenue"],
    r.currencies.flatMap((c) => c.rows.map((x) => [x.storeName, x.productId ?? "", x.variantId ?? "", x.title ?? "", c.currency, x.orders, x.units, formatAmount(x.revenueMinor, c.currency), rate(x.shareOfRevenue)])),
  );
}
