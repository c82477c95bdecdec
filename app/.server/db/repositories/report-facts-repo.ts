import { sql, type RawBuilder } from "kysely";
import { REPORT_MEASURES, type DeliveryCount, type FactLine, type FactOrder, type FactRow, type FactUnit, type Measures } from "../../domain/report-facts.ts";
import type { FactDims } from "../../domain/report-facts.ts";
import type { Dialect } from "../database.ts";
import type { Executor } from "./job-rows.ts";

/** What computeOrderFacts needs of one order, read in three queries for a whole batch. */
export interface FactInput {
  order: FactOrder;
  timeZone: string;
  lines: FactLine[];
  units: FactUnit[];
}

export interface DirtyOrder {
  orderId: string;
  version: number;
}

const CHUNK = 400;

export function chunks<T>(list: readonly T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

export async function readDirtyOrders(db: Executor, limit: number): Promise<DirtyOrder[]> {
  const rows = await db.selectFrom("report_dirty_orders").select(["order_id", "version"]).orderBy("order_id").limit(limit).execute();
  return rows.map((r) => ({ orderId: r.order_id, version: Number(r.version) }));
}

export async function countDirtyOrders(db: Executor): Promise<number> {
  const r = await db.selectFrom("report_dirty_orders").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Locks the dirty rows no other transaction holds (Postgres); SQLite's single writer needs none. */
export async function lockDirtyOrders(db: Executor, dialect: Dialect, ids: readonly string[]): Promise<DirtyOrder[]> {
  const out: DirtyOrder[] = [];
  for (const part of chunks(ids)) {
    let q = db.selectFrom("report_dirty_orders").select(["order_id", "version"]).where("order_id", "in", part);
    if (dialect === "postgres") q = q.forUpdate().skipLocked();
    for (const r of await q.execute()) out.push({ orderId: r.order_id, version: Number(r.version) });
  }
  return out;
}

/** Removes a dirty mark only at the version that was read: a change made meanwhile stays marked. */
export async function clearDirtyOrders(db: Executor, done: readonly DirtyOrder[]): Promise<void> {
  // Grouped by version (nearly all are 1–10), so a batch is a handful of statements.
  const byVersion = new Map<number, string[]>();
  for (const d of done) byVersion.set(d.version, [...(byVersion.get(d.version) ?? []), d.orderId]);
  for (const [version, ids] of byVersion) {
    for (const part of chunks(ids)) await db.deleteFrom("report_dirty_orders").where("order_id", "in", part).where("version", "=", version).execute();
  }
}

export async function markOrdersDirty(db: Executor, accountId: string): Promise<void> {
  await sql`insert into report_dirty_orders (order_id, version) select id, 1 from orders where account_id = ${accountId}
            on conflict (order_id) do update set version = report_dirty_orders.version + 1`.execute(db);
  // Facts of orders that no longer exist here (deleted, moved away) are recomputed too: to nothing.
  await sql`insert into report_dirty_orders (order_id, version)
            select distinct f.order_id, 1 from report_order_facts f where f.account_id = ${accountId}
            and not exists (select 1 from orders o where o.id = f.order_id and o.account_id = ${accountId})
            on conflict (order_id) do update set version = report_dirty_orders.version + 1`.execute(db);
}

export async function loadFactInputs(db: Executor, orderIds: readonly string[]): Promise<Map<string, FactInput>> {
  const out = new Map<string, FactInput>();
  for (const part of chunks(orderIds)) {
    const orders = await db
      .selectFrom("orders as o")
      .innerJoin("accounts as a", "a.id", "o.account_id")
      .leftJoin("stores as st", "st.id", "o.store_id")
      .select(["o.id", "o.account_id", "o.store_id", "st.platform", "o.reseller_id", "o.email", "o.customer_id", "o.currency", "o.status", "o.risk_decision", "o.placed_at", "o.created_at", "a.time_zone"])
      .where("o.id", "in", part)
      .execute();
    for (const o of orders) {
      out.set(o.id, {
        timeZone: o.time_zone,
        order: {
          id: o.id,
          accountId: o.account_id,
          storeId: o.store_id,
          platform: o.platform ?? null,
          resellerId: o.reseller_id,
          email: o.email,
          customerId: o.customer_id,
          currency: o.currency,
          status: o.status,
          riskDecision: o.risk_decision,
          placedAt: o.placed_at,
          createdAt: o.created_at,
        },
        lines: [],
        units: [],
      });
    }
    const present = orders.map((o) => o.id);
    if (present.length === 0) continue;
    const lines = await db
      .selectFrom("order_lines")
      .select(["id", "order_id", "pool_id", "quantity", "refunded_quantity", "unit_price_minor", "units_per_item", "product_id", "variant_id", "title"])
      .where("order_id", "in", present)
      .execute();
    const lineOrder = new Map<string, string>();
    for (const l of lines) {
      lineOrder.set(l.id, l.order_id);
      out.get(l.order_id)!.lines.push({
        id: l.id,
        poolId: l.pool_id,
        quantity: l.quantity,
        refundedQuantity: l.refunded_quantity,
        unitPriceMinor: l.unit_price_minor === null ? null : Number(l.unit_price_minor),
        unitsPerItem: l.units_per_item,
        productId: l.product_id,
        variantId: l.variant_id,
        title: l.title,
      });
    }
    const lineIds = lines.map((l) => l.id);
    for (const lp of chunks(lineIds)) {
      const units = await db
        .selectFrom("allocations as al")
        .leftJoin("keys as k", "k.id", "al.key_id")
        .leftJoin("key_batches as b", "b.id", "k.batch_id")
        .leftJoin("pools as p", "p.id", "al.pool_id")
        .select(["al.order_line_id", "al.unit_index", "al.status", "al.created_at", "al.fulfilled_at", "k.batch_id", "k.cost_minor", "b.currency as batch_currency", "p.currency as pool_currency"])
        .where("al.order_line_id", "in", lp)
        .execute();
      for (const u of units) {
        out.get(lineOrder.get(u.order_line_id)!)!.units.push({
          lineId: u.order_line_id,
          unitIndex: u.unit_index,
          status: u.status,
          batchId: u.batch_id ?? null,
          costMinor: u.cost_minor === null || u.cost_minor === undefined ? null : Number(u.cost_minor),
          costCurrency: u.batch_currency ?? u.pool_currency ?? null,
          createdAt: u.created_at,
          fulfilledAt: u.fulfilled_at,
        });
      }
    }
  }
  return out;
}

function toFactRow(r: Record<string, unknown>): FactRow {
  const m = Object.fromEntries(REPORT_MEASURES.map((k) => [k, Number(r[k])])) as Measures;
  return {
    orderId: r.order_id as string,
    accountId: r.account_id as string,
    buyer: (r.buyer as string | null) ?? null,
    placedAt: r.placed_at as string,
    deliveryS: r.delivery_s === null || r.delivery_s === undefined ? null : Number(r.delivery_s),
    poolId: r.pool_id as string,
    batchId: r.batch_id as string,
    day: r.day as string,
    storeId: r.store_id as string,
    platform: r.platform as string,
    channel: r.channel as string,
    currency: r.currency as string,
    ...m,
  };
}

export async function readStoredFacts(db: Executor, orderIds: readonly string[]): Promise<FactRow[]> {
  const out: FactRow[] = [];
  for (const part of chunks(orderIds)) {
    const rows = await db.selectFrom("report_order_facts").selectAll().where("order_id", "in", part).execute();
    for (const r of rows) out.push(toFactRow(r as unknown as Record<string, unknown>));
  }
  return out;
}

export async function replaceFacts(db: Executor, orderIds: readonly string[], rows: readonly FactRow[]): Promise<void> {
  for (const part of chunks(orderIds)) await db.deleteFrom("report_order_facts").where("order_id", "in", part).execute();
  for (const part of chunks(rows, 100)) {
    await db
      .insertInto("report_order_facts")
      .values(
        part.map((r) => ({
          order_id: r.orderId,
          pool_id: r.poolId,
          batch_id: r.batchId,
          account_id: r.accountId,
          day: r.day,
          store_id: r.storeId,
          platform: r.platform,
          channel: r.channel,
          currency: r.currency,
          buyer: r.buyer,
          placed_at: r.placedAt,
          delivery_s: r.deliveryS,
          ...measuresOf(r),
        })),
      )
      .execute();
  }
}

function measuresOf(m: Measures): Measures {
  return Object.fromEntries(REPORT_MEASURES.map((k) => [k, m[k]])) as Measures;
}

const ROLLUP_KEY = ["account_id", "day", "pool_id", "batch_id", "store_id", "platform", "channel", "currency"] as const;

/** Adds each delta to its rollup row (created at zero when missing). */
export async function applyRollupDeltas(db: Executor, deltas: readonly { dims: FactDims & { accountId: string }; delta: Measures }[]): Promise<void> {
  await applyPoolDeltas(db, deltas);
  await applyMonthDeltas(db, deltas);
  for (const part of chunks(deltas, 100)) {
    await db
      .insertInto("report_daily")
      .values(
        part.map(({ dims, delta }) => ({
          account_id: dims.accountId,
          day: dims.day,
          pool_id: dims.poolId,
          batch_id: dims.batchId,
          store_id: dims.storeId,
          platform: dims.platform,
          channel: dims.channel,
          currency: dims.currency,
          ...measuresOf(delta),
        })),
      )
      .onConflict((oc) =>
        oc.columns([...ROLLUP_KEY]).doUpdateSet(Object.fromEntries(REPORT_MEASURES.map((m) => [m, sql`report_daily.${sql.ref(m)} + excluded.${sql.ref(m)}`])) as never),
      )
      .execute();
  }
}

const POOL_KEY = ["account_id", "day", "pool_id", "currency"] as const;

/** The same deltas summed to (account, day, pool, currency), for report_daily_pool. */
function poolDeltas(deltas: readonly { dims: FactDims & { accountId: string }; delta: Measures }[]): { dims: FactDims & { accountId: string }; delta: Measures }[] {
  const out = new Map<string, { dims: FactDims & { accountId: string }; delta: Measures }>();
  for (const d of deltas) {
    const k = [d.dims.accountId, d.dims.day, d.dims.poolId, d.dims.currency].join("\u0000");
    let e = out.get(k);
    if (!e) {
      e = { dims: d.dims, delta: Object.fromEntries(REPORT_MEASURES.map((m) => [m, 0])) as Measures };
      out.set(k, e);
    }
    for (const m of REPORT_MEASURES) e.delta[m] += d.delta[m];
  }
  return [...out.values()];
}

async function applyPoolDeltas(db: Executor, deltas: readonly { dims: FactDims & { accountId: string }; delta: Measures }[]): Promise<void> {
  for (const part of chunks(poolDeltas(deltas), 100)) {
    await db
      .insertInto("report_daily_pool")
      .values(part.map(({ dims, delta }) => ({ account_id: dims.accountId, day: dims.day, pool_id: dims.poolId, currency: dims.currency, ...measuresOf(delta) })))
      .onConflict((oc) =>
        oc.columns([...POOL_KEY]).doUpdateSet(Object.fromEntries(REPORT_MEASURES.map((m) => [m, sql`report_daily_pool.${sql.ref(m)} + excluded.${sql.ref(m)}`])) as never),
      )
      .execute();
  }
}

const MONTH_KEY = ["account_id", "month", "pool_id", "batch_id", "store_id", "platform", "channel", "currency"] as const;

/** The same deltas summed to calendar months, for report_monthly. */
async function applyMonthDeltas(db: Executor, deltas: readonly { dims: FactDims & { accountId: string }; delta: Measures }[]): Promise<void> {
  const byMonth = new Map<string, { dims: FactDims & { accountId: string }; month: string; delta: Measures }>();
  for (const d of deltas) {
    const month = d.dims.day.slice(0, 7);
    const k = [d.dims.accountId, month, d.dims.poolId, d.dims.batchId, d.dims.storeId, d.dims.platform, d.dims.channel, d.dims.currency].join("\u0000");
    let e = byMonth.get(k);
    if (!e) {
      e = { dims: d.dims, month, delta: Object.fromEntries(REPORT_MEASURES.map((m) => [m, 0])) as Measures };
      byMonth.set(k, e);
    }
    for (const m of REPORT_MEASURES) e.delta[m] += d.delta[m];
  }
  for (const part of chunks([...byMonth.values()], 100)) {
    await db
      .insertInto("report_monthly")
      .values(
        part.map(({ dims, month, delta }) => ({
          account_id: dims.accountId,
          month,
          pool_id: dims.poolId,
          batch_id: dims.batchId,
          store_id: dims.storeId,
          platform: dims.platform,
          channel: dims.channel,
          currency: dims.currency,
          ...measuresOf(delta),
        })),
      )
      .onConflict((oc) =>
        oc.columns([...MONTH_KEY]).doUpdateSet(Object.fromEntries(REPORT_MEASURES.map((m) => [m, sql`report_monthly.${sql.ref(m)} + excluded.${sql.ref(m)}`])) as never),
      )
      .execute();
  }
}

/** Recomputes an account's rollups from its facts in one statement pair (report rebuild). */
export async function rebuildRollupsFromFacts(db: Executor, accountId: string): Promise<void> {
  await db.deleteFrom("report_daily").where("account_id", "=", accountId).execute();
  const sums = REPORT_MEASURES.map((m) => `sum(${m})`).join(", ");
  const keys = ROLLUP_KEY.join(", ");
  await sql`insert into report_daily (${sql.raw(keys)}, ${sql.raw(REPORT_MEASURES.join(", "))})
            select ${sql.raw(keys)}, ${sql.raw(sums)} from report_order_facts where account_id = ${accountId} group by ${sql.raw(keys)}`.execute(db);
  await db.deleteFrom("report_daily_pool").where("account_id", "=", accountId).execute();
  const poolKeys = POOL_KEY.join(", ");
  await sql`insert into report_daily_pool (${sql.raw(poolKeys)}, ${sql.raw(REPORT_MEASURES.join(", "))})
            select ${sql.raw(poolKeys)}, ${sql.raw(sums)} from report_daily where account_id = ${accountId} group by ${sql.raw(poolKeys)}`.execute(db);
  await db.deleteFrom("report_monthly").where("account_id", "=", accountId).execute();
  const dims = ROLLUP_KEY.filter((k) => k !== "day").join(", ");
  await sql`insert into report_monthly (month, ${sql.raw(dims)}, ${sql.raw(REPORT_MEASURES.join(", "))})
            select substr(day, 1, 7), ${sql.raw(dims)}, ${sql.raw(sums)} from report_daily where account_id = ${accountId} group by substr(day, 1, 7), ${sql.raw(dims)}`.execute(db);
}

/** How many rows of query `a` are not rows of query `b`. */
export async function countRowsNotIn(db: Executor, a: RawBuilder<unknown>, b: RawBuilder<unknown>): Promise<number> {
  return Number((await sql<{ n: number }>`select count(*) as n from (${a} except ${b}) d`.execute(db)).rows[0]?.n ?? 0);
}

/** Rows of `a` not in `b` plus rows of `b` not in `a` (0 = equal): how the report checks compare a stored table with its recomputation. */
export async function countRowDifferences(db: Executor, a: RawBuilder<unknown>, b: RawBuilder<unknown>): Promise<number> {
  return (await countRowsNotIn(db, a, b)) + (await countRowsNotIn(db, b, a));
}

/** Adds each change to its delivery-time count (created at zero when missing). */
export async function applyDeliveryDeltas(db: Executor, deltas: readonly DeliveryCount[]): Promise<void> {
  for (const part of chunks(deltas, 200)) {
    await db
      .insertInto("report_delivery_daily")
      .values(part.map((d) => ({ account_id: d.accountId, day: d.day, seconds: d.seconds, orders: d.orders })))
      .onConflict((oc) => oc.columns(["account_id", "day", "seconds"]).doUpdateSet({ orders: sql`report_delivery_daily.orders + excluded.orders` }))
      .execute();
  }
}

const DELIVERY_FROM_FACTS = (accountId: string) =>
  sql`select account_id, day, delivery_s as seconds, count(*) as orders from report_order_facts
      where account_id = ${accountId} and orders_total = 1 and delivery_s is not null group by account_id, day, delivery_s`;

/** Recomputes an account's delivery-time counts from its facts (report rebuild). */
export async function rebuildDeliveryFromFacts(db: Executor, accountId: string): Promise<void> {
  await db.deleteFrom("report_delivery_daily").where("account_id", "=", accountId).execute();
  await sql`insert into report_delivery_daily (account_id, day, seconds, orders) ${DELIVERY_FROM_FACTS(accountId)}`.execute(db);
}

/** Delivery-time counts that differ from the facts counted now (0 = equal). */
export async function countDeliveryMismatches(db: Executor, accountId: string): Promise<number> {
  const stored = sql`select account_id, day, seconds, orders from report_delivery_daily where account_id = ${accountId} and orders <> 0`;
  const expected = DELIVERY_FROM_FACTS(accountId);
  return countRowDifferences(db, stored, expected);
}

/** report_monthly rows that differ from report_daily summed per month (0 = equal). */
export async function countMonthMismatches(db: Executor, accountId: string): Promise<number> {
  const dims = ROLLUP_KEY.filter((k) => k !== "day").join(", ");
  const cols = sql.raw(`month, ${dims}, ${REPORT_MEASURES.join(", ")}`);
  const nonZero = sql.raw(REPORT_MEASURES.map((m) => `${m} <> 0`).join(" or "));
  const stored = sql`select ${cols} from report_monthly where account_id = ${accountId} and (${nonZero})`;
  const expected = sql`select ${cols} from (select substr(day, 1, 7) as month, ${sql.raw(dims)}, ${sql.raw(REPORT_MEASURES.map((m) => `sum(${m}) as ${m}`).join(", "))}
                         from report_daily where account_id = ${accountId} group by substr(day, 1, 7), ${sql.raw(dims)}) e where ${nonZero}`;
  return countRowDifferences(db, stored, expected);
}
