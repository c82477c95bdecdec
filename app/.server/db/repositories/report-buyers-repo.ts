import { sql, type RawBuilder } from "kysely";
import type { DayRange } from "../../domain/report-day.ts";
import type { Dialect } from "../database.ts";
import type { Executor } from "./job-rows.ts";
import { countRowsNotIn } from "./report-facts-repo.ts";

/** Postgres takes this many bound values per statement comfortably; SQLite's limit is far above. */
const BUYER_CHUNK = 400;

/** Days strictly between two 'YYYY-MM-DD' columns (b after a). */
function daysStrictlyBetween(dialect: Dialect, a: string, b: string): RawBuilder<number> {
  return dialect === "postgres"
    ? sql<number>`(cast(${sql.ref(b)} as date) - cast(${sql.ref(a)} as date)) - 1`
    : sql<number>`cast(julianday(${sql.ref(b)}) - julianday(${sql.ref(a)}) as integer) - 1`;
}

/**
 * The buyer rows derived from the stored facts: one per order (pool_id '') and per order and
 * pool, each with the days of the two orders before it in its partition. `buyers` limits it to
 * those buyers (the refresher's batch); without it, the whole account (report rebuild, checks).
 */
function derivedRows(dialect: Dialect, accountId: string, buyers?: readonly string[]) {
  const filter = buyers ? sql`account_id = ${accountId} and buyer in (${sql.join(buyers)})` : sql`account_id = ${accountId} and buyer is not null`;
  return sql`
    select account_id, buyer, pool_id, order_id, day, placed_at, units, prev_day, prev2_day,
           case when prev_day < day then ${daysStrictlyBetween(dialect, "prev_day", "day")} end as gap_days,
           cum_units, coalesce(lag(cum_units, 2) over w, 0) as cum_before_prev
    from (
      select account_id, buyer, pool_id, order_id, day, placed_at, units,
             lag(day, 1) over w as prev_day, lag(day, 2) over w as prev2_day,
             sum(units) over (w rows between unbounded preceding and current row) as cum_units
      from (
        select account_id, buyer, '' as pool_id, order_id, day, min(placed_at) as placed_at, sum(units) as units
          from report_order_facts where ${filter} group by account_id, buyer, order_id, day
        union all
        select account_id, buyer, pool_id, order_id, day, min(placed_at) as placed_at, sum(units) as units
          from report_order_facts where ${filter} group by account_id, buyer, pool_id, order_id, day
      ) purchases
      window w as (partition by account_id, buyer, pool_id order by day, placed_at, order_id)
    ) ranked
    window w as (partition by account_id, buyer, pool_id order by day, placed_at, order_id)`;
}

const COLUMNS = sql.raw("account_id, buyer, pool_id, order_id, day, placed_at, units, prev_day, prev2_day, gap_days, cum_units, cum_before_prev");

/**
 * Re-derives the buyer rows of these buyers (or of the whole account) from report_order_facts.
 * Called in the transaction that changed their facts, so the rows always match the facts.
 */
export async function deriveBuyerPurchases(db: Executor, dialect: Dialect, accountId: string, buyers?: readonly string[]): Promise<void> {
  if (!buyers) {
    await db.deleteFrom("report_buyer_purchases").where("account_id", "=", accountId).execute();
    await sql`insert into report_buyer_purchases (${COLUMNS}) ${derivedRows(dialect, accountId)}`.execute(db);
    return;
  }
  for (let i = 0; i < buyers.length; i += BUYER_CHUNK) {
    const part = buyers.slice(i, i + BUYER_CHUNK);
    await db.deleteFrom("report_buyer_purchases").where("account_id", "=", accountId).where("buyer", "in", part).execute();
    await sql`insert into report_buyer_purchases (${COLUMNS}) ${derivedRows(dialect, accountId, part)}`.execute(db);
  }
}

/** Rows stored but not derivable from the facts, and rows derivable but missing (0 and 0 = equal). */
export async function checkBuyerPurchases(db: Executor, dialect: Dialect, accountId: string): Promise<{ extra: number; missing: number }> {
  const stored = sql`select ${COLUMNS} from report_buyer_purchases where account_id = ${accountId}`;
  const derived = sql`select ${COLUMNS} from (${derivedRows(dialect, accountId)}) d`;
  return { extra: await countRowsNotIn(db, stored, derived), missing: await countRowsNotIn(db, derived, stored) };
}

export interface RepurchaseFigures {
  /** Per pool ('' = orders as a whole): buyers with an order in the range, and those with two or more. */
  counts: { poolId: string; buyers: number; repeatBuyers: number }[];
  /** Per pool: how many repurchases came after how many days (both purchase days in the range). */
  gaps: { poolId: string; gapDays: number; count: number }[];
}

/**
 * Buyers, repeat buyers and repurchase gaps of a range, pool by pool ('' = whole orders), each a
 * range scan of the pool-first index: a buyer's first order in the range is the row whose
 * previous order is before it (or none), the second the row whose previous is inside and whose
 * second-previous is not; a gap counts when the previous purchase day is inside too.
 */
export async function repurchaseFigures(db: Executor, accountId: string, range: DayRange): Promise<RepurchaseFigures> {
  const pools = await db.selectFrom("pools").select("id").where("account_id", "=", accountId).execute();
  const counts: RepurchaseFigures["counts"] = [];
  const gaps: RepurchaseFigures["gaps"] = [];
  for (const poolId of ["", ...pools.map((p) => p.id)]) {
    const inPool = db.selectFrom("report_buyer_purchases").where("account_id", "=", accountId).where("pool_id", "=", poolId).where("day", ">=", range.from).where("day", "<=", range.to);
    const c = await inPool
      .select([
        sql<number>`sum(case when prev_day is null or prev_day < ${range.from} then 1 else 0 end)`.as("buyers"),
        sql<number>`sum(case when prev_day >= ${range.from} and (prev2_day is null or prev2_day < ${range.from}) then 1 else 0 end)`.as("repeat_buyers"),
      ])
      .executeTakeFirst();
    const buyers = Number(c?.buyers ?? 0);
    if (buyers === 0) continue;
    counts.push({ poolId, buyers, repeatBuyers: Number(c?.repeat_buyers ?? 0) });
    if (poolId === "") continue;
    const g = await inPool.select(["gap_days", sql<number>`count(*)`.as("n")]).where("prev_day", ">=", range.from).where("gap_days", "is not", null).groupBy("gap_days").execute();
    for (const r of g) gaps.push({ poolId, gapDays: Number(r.gap_days), count: Number(r.n) });
  }
  return { counts, gaps };
}

export interface RepeatBuyerRow {
  buyer: string;
  orders: number;
  units: number;
  firstDay: string;
  lastDay: string;
}

/**
 * The buyers with most orders in the range (two or more), then most units, then by name, from
 * their repeat rows alone: n repeat rows are n + 1 orders; the units in the range are the last
 * row's running total less the running total before the first order in the range (the smallest
 * "two orders back" total among the repeat rows); the first day is the earliest previous day.
 */
export async function topRepeatBuyers(db: Executor, accountId: string, range: DayRange, limit: number): Promise<RepeatBuyerRow[]> {
  const units = sql<number>`max(cum_units) - min(cum_before_prev)`;
  const rows = await db
    .selectFrom("report_buyer_purchases")
    .select(["buyer", sql<number>`count(*) + 1`.as("orders"), units.as("units"), sql<string>`min(prev_day)`.as("first_day"), sql<string>`max(day)`.as("last_day")])
    .where("account_id", "=", accountId)
    .where("day", ">=", range.from)
    .where("day", "<=", range.to)
    .where("pool_id", "=", "")
    .where("prev_day", ">=", range.from)
    .groupBy("buyer")
    .orderBy(sql`count(*)`, "desc")
    .orderBy(units, "desc")
    .orderBy("buyer")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ buyer: r.buyer, orders: Number(r.orders), units: Number(r.units), firstDay: r.first_day, lastDay: r.last_day }));
}
