import { sql, type CreateTableBuilder } from "kysely";
import type { KeyrelayMigration } from "./column-types.ts";
import { addMeasures, MEASURES } from "./0012-reports.ts";

/**
 * Repurchase (复购) kept incrementally (issue 15): one row per buyer's order, as a whole (pool_id
 * '') and per pool, carrying the day of the buyer's previous and second-previous order (in the
 * same partition, ordered by day, time, id) and the days since the previous purchase day. A
 * range's buyers, repeat buyers and repurchase cycle are then counts over the range's rows:
 * a buyer's first order in the range is the row whose previous order lies before it, the second
 * the row whose previous lies inside and whose second-previous lies before. The refresher
 * derives a buyer's rows from report_order_facts in the transaction that changes them.
 *
 * report_monthly: report_daily summed per local calendar month ('YYYY-MM'), kept by the same
 * deltas, so a two-year report by store, channel, supplier or batch reads 24 months plus the
 * odd days at either end instead of 730 days of the finest rows.
 *
 * report_delivery_daily: per local day, how many fully delivered orders took how many seconds
 * from payment to their last key, so delivery p50 / p95 are exact over any range without reading
 * one row per order.
 *
 * report_order_products: what each order adds to the product report (per product and variant);
 * report_product_daily / report_product_monthly: those summed per local day / month, store,
 * product, variant and currency, kept from the per-order rows' deltas like the facts.
 */
export const reportIncremental: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("report_buyer_purchases")
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("buyer", "text", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("placed_at", t.timestamp, (c) => c.notNull())
      .addColumn("units", t.bigint, (c) => c.notNull())
      .addColumn("prev_day", "text")
      .addColumn("prev2_day", "text")
      // Days strictly between the previous purchase day and this one; null on the same day or with no previous.
      .addColumn("gap_days", "integer")
      // Units bought up to and including this order, and up to two orders before it: a buyer's
      // units in a range come from its repeat rows alone (see topRepeatBuyers).
      .addColumn("cum_units", t.bigint, (c) => c.notNull())
      .addColumn("cum_before_prev", t.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint("report_buyer_purchases_pk", ["account_id", "buyer", "pool_id", "order_id"])
      .execute();
    // Pool first: a range's figures are read pool by pool ('' = whole orders), each a plain
    // range scan of this index with no sort, and the repeat buyers from the '' entries.
    await db.schema
      .createIndex("report_buyer_purchases_pool_day")
      .on("report_buyer_purchases")
      .columns(["account_id", "pool_id", "day", "prev_day", "prev2_day", "gap_days", "buyer", "cum_units", "cum_before_prev"])
      .execute();
    await db.schema
      .createTable("report_monthly")
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("month", "text", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("batch_id", "text", (c) => c.notNull())
      .addColumn("store_id", "text", (c) => c.notNull())
      .addColumn("platform", "text", (c) => c.notNull())
      .addColumn("channel", "text", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .$call(addMeasures(t.bigint))
      .addPrimaryKeyConstraint("report_monthly_pk", ["account_id", "month", "pool_id", "batch_id", "store_id", "platform", "channel", "currency"])
      .execute();
    const dims = "account_id, pool_id, batch_id, store_id, platform, channel, currency";
    const measures = MEASURES.join(", ");
    await sql.raw(`insert into report_monthly (month, ${dims}, ${measures})
                   select substr(day, 1, 7), ${dims}, ${MEASURES.map((m) => `sum(${m})`).join(", ")} from report_daily group by substr(day, 1, 7), ${dims}`).execute(db);
    await db.schema
      .createTable("report_delivery_daily")
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("seconds", t.bigint, (c) => c.notNull())
      .addColumn("orders", t.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint("report_delivery_daily_pk", ["account_id", "day", "seconds"])
      .execute();
    await sql`insert into report_delivery_daily (account_id, day, seconds, orders)
              select account_id, day, delivery_s, count(*) from report_order_facts where orders_total = 1 and delivery_s is not null
              group by account_id, day, delivery_s`.execute(db);
    const productMeasures = (b: CreateTableBuilder<any, any>) =>
      b
        .addColumn("title", "text")
        .addColumn("orders", t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn("units", t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn("revenue_minor", t.bigint, (c) => c.notNull().defaultTo(0));
    await db.schema
      .createTable("report_order_products")
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("product_id", "text", (c) => c.notNull())
      .addColumn("variant_id", "text", (c) => c.notNull())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("store_id", "text", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .$call(productMeasures)
      .addPrimaryKeyConstraint("report_order_products_pk", ["order_id", "product_id", "variant_id"])
      .execute();
    await db.schema.createIndex("report_order_products_account").on("report_order_products").columns(["account_id", "day"]).execute();
    for (const [table, at] of [["report_product_daily", "day"], ["report_product_monthly", "month"]] as const) {
      await db.schema
        .createTable(table)
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn(at, "text", (c) => c.notNull())
        .addColumn("store_id", "text", (c) => c.notNull())
        .addColumn("product_id", "text", (c) => c.notNull())
        .addColumn("variant_id", "text", (c) => c.notNull())
        .addColumn("currency", "text", (c) => c.notNull())
        .$call(productMeasures)
        .addPrimaryKeyConstraint(`${table}_pk`, ["account_id", at, "store_id", "product_id", "variant_id", "currency"])
        .execute();
    }
    // Every order is refreshed once, which derives every buyer's rows from its facts.
    await sql`insert into report_dirty_orders (order_id, version) select id, 1 from orders where true
              on conflict (order_id) do update set version = report_dirty_orders.version + 1`.execute(db);
  },
};
