import { sql } from "kysely";
import { REPORT_MEASURES, type Measures } from "../../domain/report-facts.ts";
import { splitIntoMonths, type DayRange } from "../../domain/report-day.ts";
import type { Executor } from "./job-rows.ts";

export type RollupDimension = "day" | "pool_id" | "batch_id" | "store_id" | "platform" | "channel" | "currency";

export type RollupRow = Measures & Partial<Record<RollupDimension, string>>;

/**
 * Sums of every measure over a range, grouped by the dimensions asked for (always by currency).
 * Day, pool and currency alone are answered by the coarse table; other dimensions by the fine
 * one, and without a day dimension by its monthly copy for the whole months in the range plus
 * the fine rows of the days at either end.
 */
export async function sumRollups(db: Executor, accountId: string, range: DayRange, by: readonly RollupDimension[], filter: { poolId?: string } = {}): Promise<RollupRow[]> {
  const dims = [...new Set<RollupDimension>([...by, "currency"])];
  const coarse = dims.every((d) => d === "day" || d === "pool_id" || d === "currency");
  if (coarse) return sumTable(db, "report_daily_pool", accountId, range, dims, filter);
  if (dims.includes("day")) return sumTable(db, "report_daily", accountId, range, dims, filter);
  const { months, days } = splitIntoMonths(range);
  const parts = await Promise.all([
    ...(months ? [sumTable(db, "report_monthly", accountId, months, dims, filter)] : []),
    ...days.map((d) => sumTable(db, "report_daily", accountId, d, dims, filter)),
  ]);
  if (parts.length === 1) return parts[0];
  const merged = new Map<string, RollupRow>();
  for (const row of parts.flat()) {
    const k = dims.map((d) => row[d]).join("\u0000");
    const into = merged.get(k);
    if (!into) merged.set(k, row);
    else for (const m of REPORT_MEASURES) into[m] += row[m];
  }
  return [...merged.values()];
}

async function sumTable(
  db: Executor,
  table: "report_daily" | "report_daily_pool" | "report_monthly",
  accountId: string,
  range: DayRange,
  dims: readonly RollupDimension[],
  filter: { poolId?: string },
): Promise<RollupRow[]> {
  // report_monthly has the same columns as report_daily with `month` for `day`; no day dimension is asked of it.
  const at = table === "report_monthly" ? "month" : "day";
  let q = db
    .selectFrom(table as "report_daily")
    .select(dims as RollupDimension[])
    .select(REPORT_MEASURES.map((m) => sql<number>`sum(${sql.ref(m)})`.as(m)))
    .where("account_id", "=", accountId)
    .where(at as "day", ">=", range.from)
    .where(at as "day", "<=", range.to);
  if (filter.poolId) q = q.where("pool_id", "=", filter.poolId);
  const rows = await q.groupBy(dims as RollupDimension[]).execute();
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const d of dims) out[d] = (r as Record<string, unknown>)[d];
    for (const m of REPORT_MEASURES) out[m] = Number((r as Record<string, unknown>)[m] ?? 0);
    return out as RollupRow;
  });
}

/** Units sold per local day of one pool (the forecast's history), days without sales left out. */
export async function poolDailyUnits(db: Executor, accountId: string, poolId: string, range: DayRange): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("report_daily_pool")
    .select(["day", sql<number>`sum(units)`.as("units")])
    .where("account_id", "=", accountId)
    .where("pool_id", "=", poolId)
    .where("day", ">=", range.from)
    .where("day", "<=", range.to)
    .groupBy("day")
    .execute();
  return new Map(rows.map((r) => [r.day, Number(r.units)]));
}

/** Every rollup row of an account (for the rebuild check). */
export async function allRollupRows(db: Executor, accountId: string): Promise<(Measures & Record<RollupDimension | "account_id", string>)[]> {
  const rows = await db.selectFrom("report_daily").selectAll().where("account_id", "=", accountId).execute();
  return rows.map((r) => {
    const out: Record<string, unknown> = { ...r };
    for (const m of REPORT_MEASURES) out[m] = Number((r as Record<string, unknown>)[m]);
    return out as Measures & Record<RollupDimension | "account_id", string>;
  });
}

/** Paid → keys committed: how many fully delivered orders placed on each day of the range took how many seconds. */
export async function deliveryCounts(db: Executor, accountId: string, range: DayRange): Promise<{ day: string; seconds: number; orders: number }[]> {
  const rows = await db
    .selectFrom("report_delivery_daily")
    .select(["day", "seconds", "orders"])
    .where("account_id", "=", accountId)
    .where("day", ">=", range.from)
    .where("day", "<=", range.to)
    .where("orders", "<>", 0)
    .execute();
  return rows.map((r) => ({ day: r.day, seconds: Number(r.seconds), orders: Number(r.orders) }));
}
