import { sql } from "kysely";
import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Repurchase over long ranges without reading a row per order (issue 15). From the buyer rows
 * (report_buyer_purchases), kept in the same transaction as them:
 *
 * report_repurchase_days: per pool ('' = orders as a whole) and day, how many rows fall on the
 * day, how many have their previous purchase on it and how many their second-previous. A range
 * [from, to]'s buyers are the rows inside less those whose previous is at or after `from`, and
 * those are the rows with a previous at or after `from` less the ones after `to`: sums over
 * days, plus the rows after `to` (none for a range ending today).
 *
 * report_buyer_totals: each buyer's orders, largest first, so the top repeat buyers of a long
 * range are found among the biggest buyers instead of by grouping every order in it.
 *
 * report_buyer_purchases_gaps: the repurchase rows alone (a gap), by previous purchase day, so a
 * pool's repurchase cycle reads just its repurchases since `from`.
 */
export const repurchaseDays: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("report_repurchase_days")
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("purchases", t.bigint, (c) => c.notNull())
      .addColumn("prev_on", t.bigint, (c) => c.notNull())
      .addColumn("prev2_on", t.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint("report_repurchase_days_pk", ["account_id", "pool_id", "day"])
      .execute();
    await db.schema
      .createTable("report_buyer_totals")
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("buyer", "text", (c) => c.notNull())
      .addColumn("orders", t.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint("report_buyer_totals_pk", ["account_id", "buyer"])
      .execute();
    await db.schema.createIndex("report_buyer_totals_orders").on("report_buyer_totals").columns(["account_id", "orders", "buyer"]).execute();
    await db.schema
      .createIndex("report_buyer_purchases_gaps")
      .on("report_buyer_purchases")
      .columns(["account_id", "pool_id", "prev_day", "gap_days", "day"])
      .where(sql.ref("gap_days"), "is not", null)
      .execute();
    await sql`insert into report_repurchase_days (account_id, pool_id, day, purchases, prev_on, prev2_on)
              select account_id, pool_id, d, sum(a), sum(b), sum(c) from (
                select account_id, pool_id, day as d, 1 as a, 0 as b, 0 as c from report_buyer_purchases
                union all select account_id, pool_id, prev_day, 0, 1, 0 from report_buyer_purchases where prev_day is not null
                union all select account_id, pool_id, prev2_day, 0, 0, 1 from report_buyer_purchases where prev2_day is not null
              ) x group by account_id, pool_id, d`.execute(db);
    await sql`insert into report_buyer_totals (account_id, buyer, orders)
              select account_id, buyer, count(*) from report_buyer_purchases where pool_id = '' group by account_id, buyer`.execute(db);
  },
};
