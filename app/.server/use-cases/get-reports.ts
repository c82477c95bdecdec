import { recordAudit } from "../db/repositories/audit-repo.ts";
import { repurchaseFigures, topRepeatBuyers } from "../db/repositories/report-buyers-repo.ts";
import { productSales, type ProductSalesRow } from "../db/repositories/report-products-repo.ts";
import { deliveryCounts, sumRollups, type RollupDimension, type RollupRow } from "../db/repositories/report-rollups-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { checkRange, eachDay, localDay, presetRange, previousRange, RANGE_PRESETS, type Bucket, type DayRange, type RangePreset } from "../domain/report-day.ts";
import { addMeasures, zeroMeasures, type Measures } from "../domain/report-facts.ts";
import { changeRatio, marginFigures, maskBuyer, percentileOfCounts, salesFigures, seriesOf, share, type MarginFigures, type SalesFigures } from "../domain/report-figures.ts";
import { summariseRepurchase, type RepurchaseSummary } from "../domain/report-repurchase.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { refreshReportRollups } from "./refresh-report-rollups.ts";

/**
 * The data hub's reports, read from the daily rollups (and, for repurchase, the per-buyer rows).
 * Each first folds in the orders changed since the last refresh (a few batches at most) and says
 * how many are still waiting, so a figure is never silently stale.
 */

export const SALES_GROUPS = ["day", "week", "month", "pool", "store", "channel"] as const;
export type SalesGroup = (typeof SALES_GROUPS)[number];
export const MARGIN_GROUPS = ["pool", "supplier", "batch"] as const;
export type MarginGroup = (typeof MARGIN_GROUPS)[number];

export interface ReportContext {
  range: DayRange;
  previous: DayRange;
  timeZone: string;
  /** Changed orders not yet folded into the figures (a refresh is behind). */
  pendingOrders: number;
}

export interface Labelled {
  key: string;
  label: string;
  /** For channel rows: the store platform or "api" (reseller). */
  platform?: string;
}

export interface SalesRow extends Labelled, SalesFigures {
  shareOfRevenue: number | null;
}

export interface SalesCurrency {
  currency: string;
  totals: SalesFigures;
  previousTotals: SalesFigures;
  change: { orders: number | null; units: number | null; revenue: number | null; net: number | null };
  rows: SalesRow[];
}

export interface SalesReport extends ReportContext {
  groupBy: SalesGroup;
  currencies: SalesCurrency[];
}

async function contextFor(s: Pick<Services, "db" | "database">, accountId: string, input: { from?: string; to?: string }): Promise<ReportContext & { today: string }> {
  const account = await s.db.selectFrom("accounts").select(["time_zone"]).where("id", "=", accountId).executeTakeFirst();
  if (!account) throw new InvalidInputError("not_found", "no such account", { field: "account" });
  const today = localDay(new Date(), account.time_zone);
  const range = checkRange(input.from ?? today, input.to ?? input.from ?? today);
  const refresh = await refreshReportRollups(s, { maxBatches: 5 });
  return { range, previous: previousRange(range), timeZone: account.time_zone, pendingOrders: refresh.pending, today };
}

function sumAll(rows: readonly RollupRow[]): Measures {
  const m = zeroMeasures();
  for (const r of rows) addMeasures(m, r);
  return m;
}

function byCurrency<T extends RollupRow>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.currency ?? "", [...(out.get(r.currency ?? "") ?? []), r]);
  return out;
}

interface Names {
  pools: Map<string, string>;
  stores: Map<string, string>;
  resellers: Map<string, string>;
  batches: Map<string, { label: string; supplier: string | null; poolId: string }>;
}

async function namesFor(s: Pick<Services, "db">, accountId: string): Promise<Names> {
  const [pools, stores, resellers, batches] = await Promise.all([
    s.db.selectFrom("pools").select(["id", "name"]).where("account_id", "=", accountId).execute(),
    s.db.selectFrom("stores").select(["id", "name", "domain"]).where("account_id", "=", accountId).execute(),
    s.db.selectFrom("resellers").select(["id", "name"]).where("account_id", "=", accountId).execute(),
    s.db.selectFrom("key_batches").select(["id", "source_name", "supplier", "pool_id", "created_at"]).where("account_id", "=", accountId).execute(),
  ]);
  return {
    pools: new Map(pools.map((p) => [p.id, p.name])),
    stores: new Map(stores.map((st) => [st.id, st.name || st.domain])),
    resellers: new Map(resellers.map((r) => [r.id, r.name])),
    batches: new Map(batches.map((b) => [b.id, { label: `${b.source_name ?? b.id.slice(0, 8)} · ${b.created_at.slice(0, 10)}`, supplier: b.supplier, poolId: b.pool_id }])),
  };
}

/** Labels for a group key; a pool, store or reseller deleted since still shows its id. */
function labelOf(group: SalesGroup | MarginGroup, key: string, names: Names): string {
  if (group === "pool") return names.pools.get(key) ?? key;
  if (group === "store") return key === "" ? "" : (names.stores.get(key) ?? key);
  if (group === "channel") return key === "retail" ? "" : (names.resellers.get(key.replace(/^reseller:/, "")) ?? key);
  if (group === "batch") return key === "" ? "" : (names.batches.get(key)?.label ?? key);
  if (group === "supplier") return key;
  return key;
}

const DIMENSION_OF: Record<"pool" | "store" | "channel", RollupDimension[]> = {
  pool: ["pool_id"],
  store: ["store_id", "platform"],
  channel: ["channel", "platform"],
};

export async function getSalesReport(s: Pick<Services, "db" | "database">, accountId: string, input: { from?: string; to?: string; groupBy?: string }): Promise<SalesReport> {
  const groupBy = (input.groupBy ?? "day") as SalesGroup;
  if (!SALES_GROUPS.includes(groupBy)) throw new InvalidInputError("report_bad_group", `group-by must be one of ${SALES_GROUPS.join(", ")}`, { field: "groupBy", params: { allowed: SALES_GROUPS.join(", ") } });
  const ctx = await contextFor(s, accountId, input);
  const timeGroup = groupBy === "day" || groupBy === "week" || groupBy === "month";
  const dims: RollupDimension[] = timeGroup ? ["day"] : DIMENSION_OF[groupBy];
  const [rows, before, names] = await Promise.all([
    sumRollups(s.db, accountId, ctx.range, dims),
    sumRollups(s.db, accountId, ctx.previous, []),
    namesFor(s, accountId),
  ]);
  const beforeBy = byCurrency(before);
  const currencies: SalesCurrency[] = [];
  const allCurrencies = new Set([...byCurrency(rows).keys(), ...beforeBy.keys()]);
  const rowsBy = byCurrency(rows);
  for (const currency of [...allCurrencies].sort()) {
    const list = rowsBy.get(currency) ?? [];
    const totals = salesFigures(sumAll(list));
    const previousTotals = salesFigures(sumAll(beforeBy.get(currency) ?? []));
    let out: SalesRow[];
    if (timeGroup) {
      out = seriesOf(list.map((r) => ({ day: r.day as string, measures: r })), ctx.range, groupBy as Bucket).map((p) => {
        const f = salesFigures(p.measures);
        return { key: p.start, label: p.start, ...f, shareOfRevenue: share(f.revenueMinor, totals.revenueMinor) };
      });
    } else {
      // Store and channel rows split by platform too; fold the rows of one key together.
      const merged = new Map<string, { platform?: string; m: Measures }>();
      for (const r of list) {
        const key = groupBy === "pool" ? r.pool_id! : groupBy === "store" ? r.store_id! : r.channel!;
        const e = merged.get(key) ?? { platform: r.platform, m: zeroMeasures() };
        addMeasures(e.m, r);
        merged.set(key, e);
      }
      out = [...merged.entries()].map(([key, e]) => {
        const f = salesFigures(e.m, groupBy === "pool" ? "orders_with_pool" : "orders_total");
        return { key, label: labelOf(groupBy, key, names), ...(groupBy === "pool" ? {} : { platform: e.platform }), ...f, shareOfRevenue: share(f.revenueMinor, totals.revenueMinor) };
      });
      out.sort((a, b) => b.revenueMinor - a.revenueMinor || b.units - a.units || a.label.localeCompare(b.label));
    }
    currencies.push({
      currency,
      totals,
      previousTotals,
      change: {
        orders: changeRatio(totals.orders, previousTotals.orders),
        units: changeRatio(totals.units, previousTotals.units),
        revenue: changeRatio(totals.revenueMinor, previousTotals.revenueMinor),
        net: changeRatio(totals.netMinor, previousTotals.netMinor),
      },
      rows: out,
    });
  }
  return { range: ctx.range, previous: ctx.previous, timeZone: ctx.timeZone, pendingOrders: ctx.pendingOrders, groupBy, currencies };
}

export interface MarginRow extends Labelled, MarginFigures {
  supplier?: string | null;
  poolId?: string;
}

export interface MarginReport extends ReportContext {
  groupBy: MarginGroup;
  currencies: { currency: string; totals: MarginFigures; rows: MarginRow[] }[];
}

export async function getMarginReport(s: Pick<Services, "db" | "database">, accountId: string, input: { from?: string; to?: string; groupBy?: string }): Promise<MarginReport> {
  const groupBy = (input.groupBy ?? "pool") as MarginGroup;
  if (!MARGIN_GROUPS.includes(groupBy)) throw new InvalidInputError("report_bad_group", `group-by must be one of ${MARGIN_GROUPS.join(", ")}`, { field: "groupBy", params: { allowed: MARGIN_GROUPS.join(", ") } });
  const ctx = await contextFor(s, accountId, input);
  const dims: RollupDimension[] = groupBy === "pool" ? ["pool_id"] : ["batch_id", "pool_id"];
  const [rows, names] = await Promise.all([sumRollups(s.db, accountId, ctx.range, dims), namesFor(s, accountId)]);
  const currencies: MarginReport["currencies"] = [];
  for (const [currency, list] of [...byCurrency(rows).entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const merged = new Map<string, { m: Measures; poolId?: string; supplier?: string | null }>();
    for (const r of list) {
      const batch = names.batches.get(r.batch_id ?? "");
      // Refunds and units without a key sit in the batch-less row: by batch they show as "no key".
      const key = groupBy === "pool" ? r.pool_id! : groupBy === "batch" ? r.batch_id! : r.batch_id ? (batch?.supplier ?? "") : "";
      const e = merged.get(key) ?? { m: zeroMeasures(), ...(groupBy === "batch" ? { poolId: r.pool_id, supplier: batch?.supplier ?? null } : {}) };
      addMeasures(e.m, r);
      merged.set(key, e);
    }
    const out: MarginRow[] = [...merged.entries()].map(([key, e]) => ({
      key,
      label: labelOf(groupBy, key, names),
      ...(e.poolId !== undefined ? { poolId: e.poolId, supplier: e.supplier } : {}),
      ...marginFigures(e.m),
    }));
    out.sort((a, b) => b.marginMinor - a.marginMinor || a.label.localeCompare(b.label));
    currencies.push({ currency, totals: marginFigures(sumAll(list)), rows: out });
  }
  return { range: ctx.range, previous: ctx.previous, timeZone: ctx.timeZone, pendingOrders: ctx.pendingOrders, groupBy, currencies };
}

export interface RepurchaseReport extends ReportContext, Omit<RepurchaseSummary, "pools" | "topBuyers"> {
  pools: (RepurchaseSummary["pools"][number] & { label: string })[];
  topBuyers: (RepurchaseSummary["topBuyers"][number] & { masked: string; email?: string })[];
  revealed: boolean;
}

/** Repurchase from the range's per-buyer rows; buyers' emails masked unless the caller reveals them (audited). */
export async function getRepurchaseReport(
  s: Pick<Services, "db" | "database">,
  accountId: string,
  input: { from?: string; to?: string; reveal?: boolean },
  by?: Actor & { ip?: string | null },
): Promise<RepurchaseReport> {
  const ctx = await contextFor(s, accountId, input);
  const [figures, top, names] = await Promise.all([repurchaseFigures(s.db, accountId, ctx.range), topRepeatBuyers(s.db, accountId, ctx.range, 10), namesFor(s, accountId)]);
  const summary = summariseRepurchase(figures.counts, figures.gaps, top);
  const reveal = input.reveal === true;
  if (reveal) {
    await recordAudit(s.db, { accountId, actorType: by?.type ?? "cli", actorId: by?.id ?? null, action: "report.buyers_revealed", subjectType: "report", subjectId: "repurchase", details: { from: ctx.range.from, to: ctx.range.to, buyers: summary.topBuyers.length }, ip: by?.ip ?? null });
  }
  return {
    range: ctx.range,
    previous: ctx.previous,
    timeZone: ctx.timeZone,
    pendingOrders: ctx.pendingOrders,
    buyers: summary.buyers,
    repeatBuyers: summary.repeatBuyers,
    repeatShare: summary.repeatShare,
    pools: summary.pools.map((p) => ({ ...p, label: names.pools.get(p.poolId) ?? p.poolId })),
    topBuyers: summary.topBuyers.map((b) => ({ ...b, buyer: reveal ? b.buyer : maskBuyer(b.buyer), masked: maskBuyer(b.buyer), ...(reveal ? { email: b.buyer } : {}) })),
    revealed: reveal,
  };
}


/** The range a page or command asks for: a preset ending today (account time zone) or from/to. */
export async function resolveReportRange(s: Pick<Services, "db">, accountId: string, input: { preset?: string | null; from?: string | null; to?: string | null }): Promise<DayRange & { preset: RangePreset | "custom"; today: string }> {
  const account = await s.db.selectFrom("accounts").select(["time_zone"]).where("id", "=", accountId).executeTakeFirst();
  const today = localDay(new Date(), account?.time_zone ?? "UTC");
  const preset = (input.preset ?? "30d") as RangePreset | "custom";
  if (preset === "custom") return { ...checkRange(input.from ?? today, input.to ?? today), preset, today };
  if (!RANGE_PRESETS.includes(preset)) throw new InvalidInputError("report_bad_group", `range must be one of ${RANGE_PRESETS.join(", ")}, custom`, { field: "range", params: { allowed: [...RANGE_PRESETS, "custom"].join(", ") } });
  return { ...presetRange(preset, today), preset, today };
}

export interface DeliveryDay {
  day: string;
  orders: number;
  p50Seconds: number | null;
  p95Seconds: number | null;
  backordersOpened: number;
  backordersFilled: number;
  /** Mean wait of the backorders filled that day, in seconds. */
  meanWaitSeconds: number | null;
}

export interface DeliveryReport extends ReportContext {
  totals: Omit<DeliveryDay, "day">;
  days: DeliveryDay[];
}

/** Paid → keys delivered (p50 / p95 per day, from the per-order facts), backorders opened and filled, and how long they waited. */
export async function getDeliveryReport(s: Pick<Services, "db" | "database">, accountId: string, input: { from?: string; to?: string }): Promise<DeliveryReport> {
  const ctx = await contextFor(s, accountId, input);
  const [counts, rows] = await Promise.all([deliveryCounts(s.db, accountId, ctx.range), sumRollups(s.db, accountId, ctx.range, ["day"])]);
  const byDay = new Map<string, { value: number; count: number }[]>();
  const all = new Map<number, number>();
  for (const c of counts) {
    const list = byDay.get(c.day) ?? [];
    list.push({ value: c.seconds, count: c.orders });
    byDay.set(c.day, list);
    all.set(c.seconds, (all.get(c.seconds) ?? 0) + c.orders);
  }
  const measures = new Map<string, Measures>();
  for (const r of rows) {
    const m = measures.get(r.day as string) ?? zeroMeasures();
    addMeasures(m, r);
    measures.set(r.day as string, m);
  }
  const figure = (secs: { value: number; count: number }[], m: Measures) => ({
    orders: secs.reduce((n, c) => n + c.count, 0),
    p50Seconds: percentileOfCounts(secs, 50),
    p95Seconds: percentileOfCounts(secs, 95),
    backordersOpened: m.backorders_opened,
    backordersFilled: m.backorders_filled,
    meanWaitSeconds: m.backorders_filled > 0 ? Math.round(m.backorder_wait_s / m.backorders_filled) : null,
  });
  const days = eachDay(ctx.range.from, ctx.range.to).map((day) => ({ day, ...figure(byDay.get(day) ?? [], measures.get(day) ?? zeroMeasures()) }));
  const total = zeroMeasures();
  for (const m of measures.values()) addMeasures(total, m);
  return { range: ctx.range, previous: ctx.previous, timeZone: ctx.timeZone, pendingOrders: ctx.pendingOrders, totals: figure([...all].map(([value, count]) => ({ value, count })), total), days };
}

export interface ProductReport extends ReportContext {
  currencies: { currency: string; rows: (ProductSalesRow & { storeName: string; shareOfRevenue: number | null })[] }[];
}

/** Best sellers by host product and variant (per store), per currency, best first. */
export async function getProductReport(s: Pick<Services, "db" | "database">, accountId: string, input: { from?: string; to?: string; limit?: number }): Promise<ProductReport> {
  const ctx = await contextFor(s, accountId, input);
  const [rows, names] = await Promise.all([productSales(s.db, accountId, ctx.range), namesFor(s, accountId)]);
  const byCur = new Map<string, ProductSalesRow[]>();
  for (const r of rows) byCur.set(r.currency, [...(byCur.get(r.currency) ?? []), r]);
  const currencies = [...byCur.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, list]) => {
      const total = list.reduce((n, r) => n + r.revenueMinor, 0);
      const sorted = [...list].sort((a, b) => b.revenueMinor - a.revenueMinor || b.units - a.units).slice(0, input.limit ?? 50);
      return { currency, rows: sorted.map((r) => ({ ...r, storeName: names.stores.get(r.storeId) ?? "", shareOfRevenue: share(r.revenueMinor, total) })) };
    });
  return { range: ctx.range, previous: ctx.previous, timeZone: ctx.timeZone, pendingOrders: ctx.pendingOrders, currencies };
}
