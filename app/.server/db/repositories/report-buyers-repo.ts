import { sql, type RawBuilder } from "kysely";
import type { DayRange } from "../../domain/report-day.ts";
import type { Dialect } from "../database.ts";
import type { Executor } from "./job-rows.ts";
import { countRowDifferences, countRowsNotIn } from "./report-facts-repo.ts";

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

/** The buyer rows of these buyers, or of the whole account. */
function buyerFilter(accountId: string, buyers?: readonly string[]): RawBuilder<boolean> {
  return buyers ? sql<boolean>`account_id = ${accountId} and buyer in (${sql.join(buyers)})` : sql<boolean>`account_id = ${accountId}`;
}

/** Per pool and day: rows on it, rows whose previous / second-previous purchase is on it (of the rows `filter` picks). */
function dayCounts(filter: RawBuilder<boolean>) {
  return sql`
    select account_id, pool_id, d as day, sum(a) as purchases, sum(b) as prev_on, sum(c) as prev2_on from (
      select account_id, pool_id, day as d, 1 as a, 0 as b, 0 as c from report_buyer_purchases where ${filter}
      union all select account_id, pool_id, prev_day, 0, 1, 0 from report_buyer_purchases where ${filter} and prev_day is not null
      union all select account_id, pool_id, prev2_day, 0, 0, 1 from report_buyer_purchases where ${filter} and prev2_day is not null
    ) x where true group by account_id, pool_id, d`;
}

/** Adds (1) or takes away (-1) the day counts of the rows `filter` picks; a day may be left at zero. */
async function addDayCounts(db: Executor, filter: RawBuilder<boolean>, sign: 1 | -1): Promise<void> {
  const k = sql.raw(String(sign));
  await sql`insert into report_repurchase_days (account_id, pool_id, day, purchases, prev_on, prev2_on)
            select account_id, pool_id, day, ${k} * purchases, ${k} * prev_on, ${k} * prev2_on from (${dayCounts(filter)}) c where true
            on conflict (account_id, pool_id, day) do update set purchases = report_repurchase_days.purchases + excluded.purchases,
              prev_on = report_repurchase_days.prev_on + excluded.prev_on, prev2_on = report_repurchase_days.prev2_on + excluded.prev2_on`.execute(db);
}

const buyerTotals = (filter: RawBuilder<boolean>) =>
  sql`select account_id, buyer, count(*) as orders from report_buyer_purchases where ${filter} and pool_id = '' group by account_id, buyer`;

/**
 * Re-derives the buyer rows of these buyers (or of the whole account) from report_order_facts,
 * with the day counts and buyer totals kept from them. Called in the transaction that changed
 * their facts, so all of it always matches the facts.
 */
export async function deriveBuyerPurchases(db: Executor, dialect: Dialect, accountId: string, buyers?: readonly string[]): Promise<void> {
  if (!buyers) {
    await db.deleteFrom("report_buyer_purchases").where("account_id", "=", accountId).execute();
    await db.deleteFrom("report_repurchase_days").where("account_id", "=", accountId).execute();
    await db.deleteFrom("report_buyer_totals").where("account_id", "=", accountId).execute();
    await sql`insert into report_buyer_purchases (${COLUMNS}) ${derivedRows(dialect, accountId)}`.execute(db);
    await sql`insert into report_repurchase_days (account_id, pool_id, day, purchases, prev_on, prev2_on) ${dayCounts(buyerFilter(accountId))}`.execute(db);
    await sql`insert into report_buyer_totals (account_id, buyer, orders) ${buyerTotals(buyerFilter(accountId))}`.execute(db);
    return;
  }
  for (let i = 0; i < buyers.length; i += BUYER_CHUNK) {
    const part = buyers.slice(i, i + BUYER_CHUNK);
    const filter = buyerFilter(accountId, part);
    await addDayCounts(db, filter, -1);
    await db.deleteFrom("report_buyer_purchases").where("account_id", "=", accountId).where("buyer", "in", part).execute();
    await sql`insert into report_buyer_purchases (${COLUMNS}) ${derivedRows(dialect, accountId, part)}`.execute(db);
    await addDayCounts(db, filter, 1);
    await db.deleteFrom("report_buyer_totals").where("account_id", "=", accountId).where("buyer", "in", part).execute();
    await sql`insert into report_buyer_totals (account_id, buyer, orders) ${buyerTotals(filter)}`.execute(db);
  }
}

/**
 * Rows stored but not derivable from the facts, and rows derivable but missing (0 and 0 = equal);
 * `counts`: day counts and buyer totals differing from what the stored rows give (days left at
 * zero are no difference).
 */
export async function checkBuyerPurchases(db: Executor, dialect: Dialect, accountId: string): Promise<{ extra: number; missing: number; counts: number }> {
  const stored = sql`select ${COLUMNS} from report_buyer_purchases where account_id = ${accountId}`;
  const derived = sql`select ${COLUMNS} from (${derivedRows(dialect, accountId)}) d`;
  const days = sql`select account_id, pool_id, day, purchases, prev_on, prev2_on from report_repurchase_days
                   where account_id = ${accountId} and (purchases <> 0 or prev_on <> 0 or prev2_on <> 0)`;
  const totals = sql`select account_id, buyer, orders from report_buyer_totals where account_id = ${accountId}`;
  return {
    extra: await countRowsNotIn(db, stored, derived),
    missing: await countRowsNotIn(db, derived, stored),
    counts: (await countRowDifferences(db, days, dayCounts(buyerFilter(accountId)))) + (await countRowDifferences(db, totals, buyerTotals(buyerFilter(accountId)))),
  };
}

/** Where the repurchase queries switch strategy (tests force each side). */
export interface RepurchaseTuning {
  /** A pool with more than this many times its range's rows after the range is read row by row. */
  tailFactor: number;
  /** Above this many orders in the range, the top buyers are looked for among the biggest buyers first. */
  scanOrders: number;
  /** Buyers looked at per step, and at most, before the range is grouped in full instead. */
  candidatesPerStep: number;
  maxCandidates: number;
}

export const REPURCHASE_TUNING: RepurchaseTuning = { tailFactor: 1, scanOrders: 100_000, candidatesPerStep: 50, maxCandidates: 400 };

export interface RepurchaseFigures {
  /** Per pool ('' = orders as a whole): buyers with an order in the range, and those with two or more. */
  counts: { poolId: string; buyers: number; repeatBuyers: number }[];
  /** Per pool: how many repurchases came after how many days (both purchase days in the range). */
  gaps: { poolId: string; gapDays: number; count: number }[];
}

/**
 * Buyers, repeat buyers and repurchase gaps of a range, pool by pool ('' = whole orders). A
 * buyer's first order in the range is the row whose previous order is before it (or none), the
 * second the row whose previous is inside and whose second-previous is not; a gap counts when
 * the previous purchase day is inside too. Counted from the day counts: rows in the range less
 * those with a previous at or after `from`, corrected by the rows after `to` (none when the range
 * ends today); a pool with more rows after the range than in it is read row by row instead.
 */
export async function repurchaseFigures(db: Executor, accountId: string, range: DayRange, tuning: RepurchaseTuning = REPURCHASE_TUNING): Promise<RepurchaseFigures> {
  const sums = await db
    .selectFrom("report_repurchase_days")
    .select([
      "pool_id",
      sql<number>`sum(case when day <= ${range.to} then purchases else 0 end)`.as("inside"),
      sql<number>`sum(case when day > ${range.to} then purchases else 0 end)`.as("after"),
      sql<number>`sum(prev_on)`.as("prev_from"),
      sql<number>`sum(prev2_on)`.as("prev2_from"),
    ])
    .where("account_id", "=", accountId)
    .where("day", ">=", range.from)
    .groupBy("pool_id")
    .orderBy("pool_id")
    .execute();
  const counts: RepurchaseFigures["counts"] = [];
  const gaps: RepurchaseFigures["gaps"] = [];
  for (const row of sums) {
    const poolId = row.pool_id;
    const inside = Number(row.inside);
    if (inside === 0) continue;
    const after = Number(row.after);
    const rows = db.selectFrom("report_buyer_purchases").where("account_id", "=", accountId).where("pool_id", "=", poolId);
    let c: { buyers: number; repeatBuyers: number };
    if (after > inside * tuning.tailFactor) {
      const r = await rows
        .where("day", ">=", range.from)
        .where("day", "<=", range.to)
        .select([
          sql<number>`sum(case when prev_day is null or prev_day < ${range.from} then 1 else 0 end)`.as("buyers"),
          sql<number>`sum(case when prev_day >= ${range.from} and (prev2_day is null or prev2_day < ${range.from}) then 1 else 0 end)`.as("repeat_buyers"),
        ])
        .executeTakeFirst();
      c = { buyers: Number(r?.buyers ?? 0), repeatBuyers: Number(r?.repeat_buyers ?? 0) };
    } else {
      // Rows after the range whose previous (second-previous) purchase is at or after `from`.
      let tailPrev = 0;
      let tailPrev2 = 0;
      if (after > 0) {
        const r = await rows
          .where("day", ">", range.to)
          .select([
            sql<number>`sum(case when prev_day >= ${range.from} then 1 else 0 end)`.as("prev"),
            sql<number>`sum(case when prev2_day >= ${range.from} then 1 else 0 end)`.as("prev2"),
          ])
          .executeTakeFirst();
        tailPrev = Number(r?.prev ?? 0);
        tailPrev2 = Number(r?.prev2 ?? 0);
      }
      const withPrevInside = Number(row.prev_from) - tailPrev;
      c = { buyers: inside - withPrevInside, repeatBuyers: withPrevInside - (Number(row.prev2_from) - tailPrev2) };
    }
    if (c.buyers === 0) continue;
    counts.push({ poolId, ...c });
    if (poolId === "") continue;
    // The gaps index holds the repurchase rows alone, by previous purchase day.
    const g = await rows
      .where("prev_day", ">=", range.from)
      .where("gap_days", "is not", null)
      .where("day", "<=", range.to)
      .select(["gap_days", sql<number>`count(*)`.as("n")])
      .groupBy("gap_days")
      .execute();
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

/** Buyer rows in the range with a previous purchase inside it: a buyer's n such rows are its n + 1 orders in the range. */
function repeatRows(db: Executor, accountId: string, range: DayRange) {
  return db
    .selectFrom("report_buyer_purchases")
    .where("account_id", "=", accountId)
    .where("pool_id", "=", "")
    .where("day", ">=", range.from)
    .where("day", "<=", range.to)
    .where("prev_day", ">=", range.from);
}


/**
 * The buyers with most orders in the range (two or more), then most units, then by name, from
 * their repeat rows alone: n repeat rows are n + 1 orders; the units in the range are the last
 * row's running total less the running total before the first order in the range (the smallest
 * "two orders back" total among the repeat rows); the first day is the earliest previous day.
 *
 * A long range holds most of a buyer's orders, so its top buyers are among the biggest buyers
 * overall: they are taken largest first until the next one has fewer orders in all than the
 * current last place has in the range (no one further down can reach it); the final order is
 * the database's over the buyers looked at, the same as grouping the whole range would give.
 */
export async function topRepeatBuyers(db: Executor, accountId: string, range: DayRange, limit: number, tuning: RepurchaseTuning = REPURCHASE_TUNING): Promise<RepeatBuyerRow[]> {
  const inRange = await db
    .selectFrom("report_repurchase_days")
    .select(sql<number>`coalesce(sum(purchases), 0)`.as("n"))
    .where("account_id", "=", accountId)
    .where("pool_id", "=", "")
    .where("day", ">=", range.from)
    .where("day", "<=", range.to)
    .executeTakeFirst();
  let only: string[] | undefined;
  if (Number(inRange?.n ?? 0) > tuning.scanOrders) only = await biggestBuyersCovering(db, accountId, range, limit, tuning);
  return rankRepeatBuyers(db, accountId, range, limit, only);
}

/** The biggest buyers, enough of them to hold the range's top `limit`; undefined when that takes too many. */
async function biggestBuyersCovering(db: Executor, accountId: string, range: DayRange, limit: number, tuning: RepurchaseTuning): Promise<string[] | undefined> {
  const seen: string[] = [];
  const inRangeOrders: number[] = [];
  let after: { orders: number; buyer: string } | undefined;
  while (seen.length < tuning.maxCandidates) {
    let q = db.selectFrom("report_buyer_totals").select(["buyer", "orders"]).where("account_id", "=", accountId);
    if (after) {
      const a = after;
      q = q.where((eb) => eb.or([eb("orders", "<", a.orders), eb.and([eb("orders", "=", a.orders), eb("buyer", ">", a.buyer)])]));
    }
    const step = await q.orderBy("orders", "desc").orderBy("buyer").limit(tuning.candidatesPerStep).execute();
    if (step.length === 0) return seen;
    const names = step.map((b) => b.buyer);
    const counts = await repeatRows(db, accountId, range).where("buyer", "in", names).select(["buyer", sql<number>`count(*) + 1`.as("orders")]).groupBy("buyer").execute();
    seen.push(...names);
    inRangeOrders.push(...counts.map((c) => Number(c.orders)));
    const last = step[step.length - 1];
    after = { orders: Number(last.orders), buyer: last.buyer };
    if (step.length < tuning.candidatesPerStep) return seen;
    const lastPlace = [...inRangeOrders].sort((x, y) => y - x)[limit - 1];
    // Everyone not looked at has at most `after.orders` orders in all, so at most that many here.
    if (lastPlace !== undefined && after.orders < lastPlace) return seen;
  }
  return undefined;
}

async function rankRepeatBuyers(db: Executor, accountId: string, range: DayRange, limit: number, only?: readonly string[]): Promise<RepeatBuyerRow[]> {
  const units = sql<number>`max(cum_units) - min(cum_before_prev)`;
  // Materialised first: grouped straight from the table, SQLite's planner walks the whole
  // account's rows in buyer order (the primary key) instead of the range's.
  let rows = repeatRows(db, accountId, range);
  if (only) rows = rows.where("buyer", "in", only.length ? only : [""]);
  const result = await db
    .with(
      (cte) => cte("r").materialized(),
      () => rows.select(["buyer", "day", "prev_day", "cum_units", "cum_before_prev"]),
    )
    .selectFrom("r")
    .select(["buyer", sql<number>`count(*) + 1`.as("orders"), units.as("units"), sql<string>`min(prev_day)`.as("first_day"), sql<string>`max(day)`.as("last_day")])
    .groupBy("buyer")
    .orderBy(sql`count(*)`, "desc")
    .orderBy(units, "desc")
    .orderBy("buyer")
    .limit(limit)
    .execute();
  return result.map((r) => ({ buyer: r.buyer, orders: Number(r.orders), units: Number(r.units), firstDay: r.first_day, lastDay: r.last_day }));
}
