import { sql, type RawBuilder } from "kysely";
import type { DayRange } from "../../domain/report-day.ts";
import type { Dialect } from "../database.ts";
import type { Executor } from "./job-rows.ts";

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
           case when prev_day < day then ${daysStrictlyBetween(dialect, "prev_day", "day")} end as gap_days
    from (
      select account_id, buyer, pool_id, order_id, day, placed_at, units,
             lag(day, 1) over w as prev_day, lag(day, 2) over w as prev2_day
      from (
        select account_id, buyer, '' as pool_id, order_id, day, min(placed_at) as placed_at, sum(units) as units
          from report_order_facts where ${filter} group by account_id, buyer, order_id, day
        union all
        select account_id, buyer, pool_id, order_id, day, min(placed_at) as placed_at, sum(units) as units
          from report_order_facts where ${filter} group by account_id, buyer, pool_id, order_id, day
      ) purchases
      window w as (partition by account_id, buyer, pool_id order by day, placed_at, order_id)
    ) ranked`;
}

const COLUMNS = sql.raw("account_id, buyer, pool_id, order_id, day, placed_at, units, prev_day, prev2_day, gap_days");

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
  const count = async (a: RawBuilder<unknown>, b: RawBuilder<unknown>) =>
    Number((await sql<{ n: number }>`select count(*) as n from (${a} except ${b}) x`.execute(db)).rows[0]?.n ?? 0);
  return { extra: await count(stored, derived), missing: await count(derived, stored) };
}

export interface RepurchaseCountRow {
  /** '' = orders as a whole. */
  poolId: string;
  buyers: number;
  repeatBuyers: number;
}

/**
 * Buyers and repeat buyers of a range, overall and per pool: a buyer's first order in the range
 * is the row whose previous order is before it (or none), the second the row whose previous is
 * inside and whose second-previous is not. One pass over the range's index entries.
 */
export async function repurchaseCounts(db: Executor, accountId: string, range: DayRange): Promise<RepurchaseCountRow[]> {
  const rows = await db
    .selectFrom("report_buyer_purchases")
    .select([
      "pool_id",
      sql<number>`sum(case when prev_day is null or prev_day < ${range.from} then 1 else 0 end)`.as("buyers"),
      sql<number>`sum(case when prev_day >= ${range.from} and (prev2_day is null or prev2_day < ${range.from}) then 1 else 0 end)`.as("repeat_buyers"),
    ])
    .where("account_id", "=", accountId)
    .where("day", ">=", range.from)
    .where("day", "<=", range.to)
    .groupBy("pool_id")
    .execute();
  return rows.map((r) => ({ poolId: r.pool_id, buyers: Number(r.buyers), repeatBuyers: Number(r.repeat_buyers) }));
}

/** Per pool, how many repurchases came after how many days (both purchase days in the range). */
export async function repurchaseGaps(db: Executor, accountId: string, range: DayRange): Promise<{ poolId: string; gapDays: number; count: number }[]> {
  const rows = await db
    .selectFrom("report_buyer_purchases")
    .select(["pool_id", "gap_days", sql<number>`count(*)`.as("n")])
    .where("account_id", "=", accountId)
    .where("day", ">=", range.from)
    .where("day", "<=", range.to)
    .where("pool_id", "<>", "")
    .where("prev_day", ">=", range.from)
    .where("gap_days", "is not", null)
    .groupBy(["pool_id", "gap_days"])
    .execute();
  return rows.map((r) => ({ poolId: r.pool_id, gapDays: Number(r.gap_days), count: Number(r.n) }));
}

export interface RepeatBuyerRow {
  buyer: string;
  orders: number;
  units: number;
  firstDay: string;
  lastDay: string;
}

/** The buyers with most orders in the range (two or more), then most units, then by name. */
export async function topRepeatBuyers(db: Executor, accountId: string, range: DayRange, limit: number): Promise<RepeatBuyerRow[]> {
  const repeaters = db
    .selectFrom("report_buyer_purchases")
    .select("buyer")
    .where("account_id", "=", accountId)
    .where("day", ">=", range.from)
    .where("day", "<=", range.to)
    .where("pool_id", "=", "")
    .where("prev_day", ">=", range.from);
  const rows = await db
    .selectFrom("report_buyer_purchases")
    .select(["buyer", sql<number>`count(*)`.as("orders"), sql<number>`sum(units)`.as("units"), sql<string>`min(day)`.as("first_day"), sql<string>`max(day)`.as("last_day")])
    .where("account_id", "=", accountId)
    .where("pool_id", "=", "")
    .where("day", ">=", range.from)
    .where("day", "<=", range.to)
    .where("buyer", "in", repeaters)
    .groupBy("buyer")
    .orderBy(sql`count(*)`, "desc")
    .orderBy(sql`sum(units)`, "desc")
    .orderBy("buyer")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ buyer: r.buyer, orders: Number(r.orders), units: Number(r.units), firstDay: r.first_day, lastDay: r.last_day }));
}
