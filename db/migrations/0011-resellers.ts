import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Wholesale resellers (issue 14). Fills the `resellers` and `reseller_tokens` tables of 0001.
 *
 * - resellers: currency, credit limit, limits per order / per day, rate limit per token, and
 *   `balance_minor` — the sum of the reseller's ledger, kept in the same transaction as every
 *   entry; its row is the lock that orders of one reseller take in turn.
 * - reseller_prices: the pools a reseller may buy, each with its own price or a discount (basis
 *   points) from the pool's list price (pools.list_price_minor, in pools.currency).
 * - reseller_ledger: append-only entries (topup, debit, credit, adjustment), each with the
 *   balance after it.
 * - reseller_tokens: the visible prefix (unique, finds the row), live/test, expiry, IP allow list.
 * - reseller_idempotency_keys: per reseller, one row per Idempotency-Key: the request's
 *   fingerprint, in_flight or done, the answer's status and body (keys never: a replay reads
 *   them again from the order).
 * - orders.reference: the reseller's own reference for an API order.
 * - keys (pool_id, state_changed_at): the catalog's change feed asks when a pool's stock moved.
 */
export const resellers: KeyrelayMigration = {
  async up(db, t) {
    await db.schema.alterTable("resellers").addColumn("currency", "text", (c) => c.notNull().defaultTo("USD")).execute();
    await db.schema.alterTable("resellers").addColumn("credit_limit_minor", t.bigint, (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable("resellers").addColumn("balance_minor", t.bigint, (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable("resellers").addColumn("max_units_per_order", "integer").execute();
    await db.schema.alterTable("resellers").addColumn("max_units_per_day", "integer").execute();
    await db.schema.alterTable("resellers").addColumn("rate_per_second", "integer").execute();
    await db.schema.alterTable("resellers").addColumn("rate_burst", "integer").execute();

    await db.schema.alterTable("pools").addColumn("list_price_minor", t.bigint).execute();
    await db.schema.alterTable("orders").addColumn("reference", "text").execute();
    await db.schema.createIndex("orders_reseller_created").on("orders").columns(["reseller_id", "created_at", "id"]).execute();
    await db.schema.createIndex("keys_pool_changed").on("keys").columns(["pool_id", "state_changed_at"]).execute();

    await db.schema.alterTable("reseller_tokens").addColumn("prefix", "text").execute();
    await db.schema.alterTable("reseller_tokens").addColumn("mode", "text", (c) => c.notNull().defaultTo("live")).execute();
    await db.schema.alterTable("reseller_tokens").addColumn("name", "text").execute();
    await db.schema.alterTable("reseller_tokens").addColumn("expires_at", t.timestamp).execute();
    await db.schema.alterTable("reseller_tokens").addColumn("ip_allow", "text").execute();
    await db.schema.createIndex("reseller_tokens_prefix").on("reseller_tokens").column("prefix").unique().execute();
    await db.schema.createIndex("reseller_tokens_reseller").on("reseller_tokens").column("reseller_id").execute();

    await db.schema
      .createTable("reseller_prices")
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("price_minor", t.bigint)
      .addColumn("discount_bps", "integer")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint("reseller_prices_pk", ["reseller_id", "pool_id"])
      .addForeignKeyConstraint("reseller_prices_reseller", ["account_id", "reseller_id"], "resellers", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .addForeignKeyConstraint("reseller_prices_pool", ["account_id", "pool_id"], "pools", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .execute();

    await t
      .serialId(db.schema.createTable("reseller_ledger"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("amount_minor", t.bigint, (c) => c.notNull())
      .addColumn("balance_after_minor", t.bigint, (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("order_id", "text")
      .addColumn("reason", "text")
      .addColumn("actor_type", "text", (c) => c.notNull())
      .addColumn("actor_id", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint("reseller_ledger_reseller", ["account_id", "reseller_id"], "resellers", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .execute();
    await db.schema.createIndex("reseller_ledger_reseller").on("reseller_ledger").columns(["reseller_id", "id"]).execute();

    await db.schema
      .createTable("reseller_idempotency_keys")
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("idempotency_key", "text", (c) => c.notNull())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("fingerprint", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("response_status", "integer")
      .addColumn("response_body", "text")
      .addColumn("order_id", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("locked_at", t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint("reseller_idempotency_keys_pk", ["reseller_id", "idempotency_key"])
      .addForeignKeyConstraint("reseller_idempotency_keys_reseller", ["account_id", "reseller_id"], "resellers", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .execute();
  },
};
