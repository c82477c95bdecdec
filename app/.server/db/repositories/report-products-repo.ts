import { sql } from "kysely";
import { splitIntoMonths, type DayRange } from "../../domain/report-day.ts";
import type { ProductDelta, ProductFact } from "../../domain/report-products.ts";
import type { Executor } from "./job-rows.ts";
import { chunks, countRowDifferences } from "./report-facts-repo.ts";

export async function readStoredProducts(db: Executor, orderIds: readonly string[]): Promise<ProductFact[]> {
  const out: ProductFact[] = [];
  for (const part of chunks(orderIds)) {
    const rows = await db.selectFrom("report_order_products").selectAll().where("order_id", "in", part).execute();
    for (const r of rows) {
      out.push({
        orderId: r.order_id,
        accountId: r.account_id,
        day: r.day,
        storeId: r.store_id,
        productId: r.product_id,
        variantId: r.variant_id,
        currency: r.currency,
        title: r.title,
        orders: Number(r.orders),
        units: Number(r.units),
        revenueMinor: Number(r.revenue_minor),
      });
    }
  }
  return out;
}

export async function replaceProducts(db: Executor, orderIds: readonly string[], rows: readonly ProductFact[]): Promise<void> {
  for (const part of chunks(orderIds)) await db.deleteFrom("report_order_products").where("order_id", "in", part).execute();
  for (const part of chunks(rows, 100)) {
    await db
      .insertInto("report_order_products")
      .values(
        part.map((r) => ({
          order_id: r.orderId,
          product_id: r.productId,
          variant_id: r.variantId,
          account_id: r.accountId,
          day: r.day,
          store_id: r.storeId,
          currency: r.currency,
          title: r.title,
          orders: r.orders,
          units: r.units,
          revenue_minor: r.revenueMinor,
        })),
      )
      .execute();
  }
}

/** Adds each change to its day's and its month's product row (created at zero when missing). */
export async function applyProductDeltas(db: Executor, deltas: readonly ProductDelta[]): Promise<void> {
  const months = new Map<string, ProductDelta>();
  for (const d of deltas) {
    const month = d.day.slice(0, 7);
    const k = [d.accountId, month, d.storeId, d.productId, d.variantId, d.currency].join("\u0000");
    const e = months.get(k);
    if (!e) months.set(k, { ...d, day: month });
    else {
      e.orders += d.orders;
      e.units += d.units;
      e.revenueMinor += d.revenueMinor;
      e.title = d.title ?? e.title;
    }
  }
  const row = (d: ProductDelta) => ({ account_id: d.accountId, store_id: d.storeId, product_id: d.productId, variant_id: d.variantId, currency: d.currency, title: d.title, orders: d.orders, units: d.units, revenue_minor: d.revenueMinor });
  for (const part of chunks(deltas, 100)) {
    await db
      .insertInto("report_product_daily")
      .values(part.map((d) => ({ ...row(d), day: d.day })))
      .onConflict((oc) =>
        oc.columns(["account_id", "day", "store_id", "product_id", "variant_id", "currency"]).doUpdateSet({
          orders: sql`report_product_daily.orders + excluded.orders`,
          units: sql`report_product_daily.units + excluded.units`,
          revenue_minor: sql`report_product_daily.revenue_minor + excluded.revenue_minor`,
          title: sql`coalesce(excluded.title, report_product_daily.title)`,
        }),
      )
      .execute();
  }
  for (const part of chunks([...months.values()], 100)) {
    await db
      .insertInto("report_product_monthly")
      .values(part.map((d) => ({ ...row(d), month: d.day })))
      .onConflict((oc) =>
        oc.columns(["account_id", "month", "store_id", "product_id", "variant_id", "currency"]).doUpdateSet({
          orders: sql`report_product_monthly.orders + excluded.orders`,
          units: sql`report_product_monthly.units + excluded.units`,
          revenue_minor: sql`report_product_monthly.revenue_minor + excluded.revenue_minor`,
          title: sql`coalesce(excluded.title, report_product_monthly.title)`,
        }),
      )
      .execute();
  }
}

const DIMS = "account_id, store_id, product_id, variant_id, currency";

/** Recomputes an account's product rows per day and month from the per-order rows (report rebuild). */
export async function rebuildProductsFromOrders(db: Executor, accountId: string): Promise<void> {
  await db.deleteFrom("report_product_daily").where("account_id", "=", accountId).execute();
  await db.deleteFrom("report_product_monthly").where("account_id", "=", accountId).execute();
  await sql`insert into report_product_daily (day, ${sql.raw(DIMS)}, title, orders, units, revenue_minor)
            select day, ${sql.raw(DIMS)}, max(title), sum(orders), sum(units), sum(revenue_minor) from report_order_products
            where account_id = ${accountId} group by day, ${sql.raw(DIMS)}`.execute(db);
  await sql`insert into report_product_monthly (month, ${sql.raw(DIMS)}, title, orders, units, revenue_minor)
            select substr(day, 1, 7), ${sql.raw(DIMS)}, max(title), sum(orders), sum(units), sum(revenue_minor) from report_order_products
            where account_id = ${accountId} group by substr(day, 1, 7), ${sql.raw(DIMS)}`.execute(db);
}

/** Product rows per day or month that differ from the per-order rows summed (0 = equal; titles aside). */
export async function countProductMismatches(db: Executor, accountId: string): Promise<number> {
  let n = 0;
  for (const [table, at, expr] of [["report_product_daily", "day", "day"], ["report_product_monthly", "month", "substr(day, 1, 7)"]] as const) {
    const stored = sql`select ${sql.raw(at)}, ${sql.raw(DIMS)}, orders, units, revenue_minor from ${sql.table(table)}
                       where account_id = ${accountId} and (orders <> 0 or units <> 0 or revenue_minor <> 0)`;
    const expected = sql`select ${sql.raw(expr)} as ${sql.raw(at)}, ${sql.raw(DIMS)}, sum(orders) as orders, sum(units) as units, sum(revenue_minor) as revenue_minor
                         from report_order_products where account_id = ${accountId} group by ${sql.raw(expr)}, ${sql.raw(DIMS)}`;
    n += await countRowDifferences(db, stored, expected);
  }
  return n;
}

export interface ProductSalesRow {
  storeId: string;
  productId: string | null;
  variantId: string | null;
  title: string | null;
  currency: string;
  orders: number;
  units: number;
  revenueMinor: number;
}

/** Sales per host product / variant (per store and currency) over a range: whole months from the monthly rows, the days at either end from the daily ones. */
export async function productSales(db: Executor, accountId: string, range: DayRange): Promise<ProductSalesRow[]> {
  const { months, days } = splitIntoMonths(range);
  const parts: { table: "report_product_daily" | "report_product_monthly"; at: "day" | "month"; r: DayRange }[] = [
    ...(months ? [{ table: "report_product_monthly" as const, at: "month" as const, r: months }] : []),
    ...days.map((r) => ({ table: "report_product_daily" as const, at: "day" as const, r })),
  ];
  const merged = new Map<string, ProductSalesRow>();
  for (const p of parts) {
    const rows = await db
      .selectFrom(p.table as "report_product_daily")
      .select(["store_id", "product_id", "variant_id", "currency", sql<string | null>`max(title)`.as("title"), sql<number>`sum(orders)`.as("orders"), sql<number>`sum(units)`.as("units"), sql<number>`sum(revenue_minor)`.as("revenue")])
      .where("account_id", "=", accountId)
      .where(p.at as "day", ">=", p.r.from)
      .where(p.at as "day", "<=", p.r.to)
      .groupBy(["store_id", "product_id", "variant_id", "currency"])
      .execute();
    for (const r of rows) {
      const k = [r.store_id, r.product_id, r.variant_id, r.currency].join("\u0000");
      const e = merged.get(k);
      if (!e) {
        merged.set(k, { storeId: r.store_id, productId: r.product_id || null, variantId: r.variant_id || null, title: r.title, currency: r.currency, orders: Number(r.orders), units: Number(r.units), revenueMinor: Number(r.revenue) });
      } else {
        e.orders += Number(r.orders);
        e.units += Number(r.units);
        e.revenueMinor += Number(r.revenue);
        e.title ??= r.title;
      }
    }
  }
  return [...merged.values()].filter((r) => r.orders !== 0 || r.units !== 0 || r.revenueMinor !== 0);
}
