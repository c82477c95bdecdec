import { sql, type ColumnDataType, type CreateTableBuilder } from "kysely";
import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Reports (issue 15): per-order facts and daily rollups, kept by a refresher from a dirty list
 * that triggers fill in the same transaction as every change to an order, its lines or its
 * allocations — whatever path made the change (webhooks, reseller API, refunds, revokes, risk
 * decisions, backorder fills, store moves, compliance deletes).
 *
 * - report_dirty_orders: one row per changed order with a version bumped on each change; the
 *   refresher deletes a row only at the version it read, so a change made while it worked is
 *   picked up next time, never lost.
 * - report_order_facts: what the rollups currently hold for each order, per pool and key batch:
 *   the refresher subtracts these and adds the recomputed ones in one transaction, so a crash
 *   never counts an order twice, and `report rebuild` can prove rollup == raw rows.
 * - pools.lead_time_days / service_level_pct: the forecast's reorder point (defaults 3 days, 95 %);
 *   low_stock_days / cover_alerted_at: the alert on days of cover (its own once-per-dip flag).
 * - report_daily_pool: the same per account, day, pool and currency (the coarse reports read it).
 * - report_daily: sums per account, local day (the account's time zone), pool, batch, store,
 *   platform, channel (retail or the reseller) and currency.
 */

const ORDER_COLUMNS = "account_id, store_id, reseller_id, email, customer_id, currency, total_minor, status, risk_decision, placed_at, created_at";
const LINE_COLUMNS = "account_id, order_id, quantity, refunded_quantity, unit_price_minor, pool_id, units_per_item, product_id, variant_id";
const ALLOCATION_COLUMNS = "status, key_id, pool_id, fulfilled_at";

export const reports: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("report_dirty_orders")
      .addColumn("order_id", "text", (c) => c.primaryKey())
      .addColumn("version", "integer", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("report_order_facts")
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("batch_id", "text", (c) => c.notNull())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("store_id", "text", (c) => c.notNull())
      .addColumn("platform", "text", (c) => c.notNull())
      .addColumn("channel", "text", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("buyer", "text")
      .addColumn("placed_at", t.timestamp, (c) => c.notNull())
      // Paid → every key committed, in seconds, on the order's first row; null until all are.
      .addColumn("delivery_s", t.bigint)
      .$call(addMeasures(t.bigint))
      .addPrimaryKeyConstraint("report_order_facts_pk", ["order_id", "pool_id", "batch_id"])
      .execute();
    await db.schema.createIndex("report_order_facts_day").on("report_order_facts").columns(["account_id", "day"]).execute();
    await db.schema.createIndex("report_order_facts_buyer").on("report_order_facts").columns(["account_id", "buyer", "placed_at"]).execute();

    await db.schema
      .createTable("report_daily")
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("batch_id", "text", (c) => c.notNull())
      .addColumn("store_id", "text", (c) => c.notNull())
      .addColumn("platform", "text", (c) => c.notNull())
      .addColumn("channel", "text", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .$call(addMeasures(t.bigint))
      .addPrimaryKeyConstraint("report_daily_pk", ["account_id", "day", "pool_id", "batch_id", "store_id", "platform", "channel", "currency"])
      .execute();
    await db.schema.createIndex("report_daily_pool_day").on("report_daily").columns(["account_id", "pool_id", "day"]).execute();

    // The same sums per day, pool and currency only: what sales over time, best sellers, margin by
    // pool and the forecast read (a fifth of the rows of report_daily, so two years stay fast).
    await db.schema
      .createTable("report_daily_pool")
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .$call(addMeasures(t.bigint))
      .addPrimaryKeyConstraint("report_daily_pool_pk", ["account_id", "day", "pool_id", "currency"])
      .execute();
    await db.schema.createIndex("report_daily_pool_pool_day").on("report_daily_pool").columns(["account_id", "pool_id", "day"]).execute();

    // The forecast's restock plan per pool: days a supplier takes, and the service level to plan for.
    await db.schema.alterTable("pools").addColumn("lead_time_days", "integer").execute();
    await db.schema.alterTable("pools").addColumn("service_level_pct", "integer").execute();
    // Alert when the forecast says the stock lasts this many days or fewer (null = off), once per dip.
    await db.schema.alterTable("pools").addColumn("low_stock_days", "integer").execute();
    await db.schema.alterTable("pools").addColumn("cover_alerted_at", t.timestamp).execute();

    // Every order that exists now is dirty once: the first refresh builds the rollups.
    await sql`insert into report_dirty_orders (order_id, version) select id, 1 from orders`.execute(db);

    if (t.dialect === "postgres") {
      await sql.raw(`
        create function report_dirty_by_id() returns trigger language plpgsql as $$
        begin
          insert into report_dirty_orders (order_id, version)
            values (case when tg_op = 'DELETE' then old.id else new.id end, 1)
            on conflict (order_id) do update set version = report_dirty_orders.version + 1;
          return null;
        end $$;
        create function report_dirty_by_order_id() returns trigger language plpgsql as $$
        begin
          insert into report_dirty_orders (order_id, version)
            values (case when tg_op = 'DELETE' then old.order_id else new.order_id end, 1)
            on conflict (order_id) do update set version = report_dirty_orders.version + 1;
          return null;
        end $$;
        create function report_dirty_by_line() returns trigger language plpgsql as $$
        begin
          insert into report_dirty_orders (order_id, version)
            select order_id, 1 from order_lines where id = new.order_line_id
            on conflict (order_id) do update set version = report_dirty_orders.version + 1;
          return null;
        end $$;
        create trigger report_dirty_orders_ins after insert on orders for each row execute function report_dirty_by_id();
        create trigger report_dirty_orders_upd after update of ${ORDER_COLUMNS} on orders for each row execute function report_dirty_by_id();
        create trigger report_dirty_orders_del after delete on orders for each row execute function report_dirty_by_id();
        create trigger report_dirty_lines_ins after insert on order_lines for each row execute function report_dirty_by_order_id();
        create trigger report_dirty_lines_upd after update of ${LINE_COLUMNS} on order_lines for each row execute function report_dirty_by_order_id();
        create trigger report_dirty_lines_del after delete on order_lines for each row execute function report_dirty_by_order_id();
        create trigger report_dirty_allocations_ins after insert on allocations for each row execute function report_dirty_by_line();
        create trigger report_dirty_allocations_upd after update of ${ALLOCATION_COLUMNS} on allocations for each row execute function report_dirty_by_line();
      `).execute(db);
      return;
    }
    const upsert = (id: string) => `insert into report_dirty_orders (order_id, version) values (${id}, 1) on conflict (order_id) do update set version = version + 1;`;
    const byLine = `insert into report_dirty_orders (order_id, version) select order_id, 1 from order_lines where id = new.order_line_id on conflict (order_id) do update set version = version + 1;`;
    const triggers = [
      `create trigger report_dirty_orders_ins after insert on orders begin ${upsert("new.id")} end`,
      `create trigger report_dirty_orders_upd after update of ${ORDER_COLUMNS} on orders begin ${upsert("new.id")} end`,
      `create trigger report_dirty_orders_del after delete on orders begin ${upsert("old.id")} end`,
      `create trigger report_dirty_lines_ins after insert on order_lines begin ${upsert("new.order_id")} end`,
      `create trigger report_dirty_lines_upd after update of ${LINE_COLUMNS} on order_lines begin ${upsert("new.order_id")} end`,
      `create trigger report_dirty_lines_del after delete on order_lines begin ${upsert("old.order_id")} end`,
      `create trigger report_dirty_allocations_ins after insert on allocations begin ${byLine} end`,
      `create trigger report_dirty_allocations_upd after update of ${ALLOCATION_COLUMNS} on allocations begin ${byLine} end`,
    ];
    for (const tr of triggers) await sql.raw(tr).execute(db);
  },
};

/** The summable measures, the same in the facts and the rollups (frozen here with the migration). */
export const MEASURES = [
  "orders_total",
  "orders_with_pool",
  "units",
  "revenue_minor",
  "unpriced_units",
  "delivered_units",
  "cost_minor",
  "cost_unknown_units",
  "refunded_units",
  "refunded_minor",
  "revoked_units",
  "returned_units",
  "backordered_units",
  "backorders_opened",
  "backorders_filled",
  "backorder_wait_s",
];

export function addMeasures(type: ColumnDataType) {
  return (b: CreateTableBuilder<any, any>): CreateTableBuilder<any, any> => {
    let out = b;
    for (const m of MEASURES) out = out.addColumn(m, type, (c) => c.notNull().defaultTo(0));
    return out;
  };
}
