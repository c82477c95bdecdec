import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Reseller sandbox (issue 14): orders placed with a kr_test_ token. A table of their own, never
 * `orders`: report triggers, stock sync, the merchant's Orders list, balances and ledgers never
 * see them. Their keys are generated fake codes (TEST-XXXX-XXXX-XXXX), kept as a JSON array in
 * `codes` — never a real key, never encrypted. Their Idempotency-Keys share
 * reseller_idempotency_keys under a namespace no live key can have (see sandbox-order.ts).
 */
export const resellerSandbox: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("reseller_sandbox_orders")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("pool_name", "text", (c) => c.notNull())
      .addColumn("quantity", "integer", (c) => c.notNull())
      .addColumn("unit_price_minor", t.bigint, (c) => c.notNull())
      .addColumn("total_minor", t.bigint, (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("reference", "text")
      .addColumn("codes", "text", (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint("reseller_sandbox_orders_reseller", ["account_id", "reseller_id"], "resellers", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .execute();
    await db.schema.createIndex("reseller_sandbox_orders_list").on("reseller_sandbox_orders").columns(["reseller_id", "created_at", "id"]).execute();
  },
};
