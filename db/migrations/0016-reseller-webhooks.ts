import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Webhooks to resellers (issue 14): endpoints a reseller registers over the API, each with its
 * own signing secret (sealed with the master key, bound to the endpoint id), and one delivery row
 * per event and endpoint: the payload (ids and counts, never a key), attempts, the last answer,
 * delivered or failed. resellers.low_balance_minor: below it, balance.low is sent once per dip.
 */
export const resellerWebhooks: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("reseller_webhook_endpoints")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("events", "text", (c) => c.notNull())
      .addColumn("secret_ciphertext", t.bytes, (c) => c.notNull())
      .addColumn("secret_key_id", "text", (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("deleted_at", t.timestamp)
      .addForeignKeyConstraint("reseller_webhook_endpoints_reseller", ["account_id", "reseller_id"], "resellers", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .execute();
    await db.schema.createIndex("reseller_webhook_endpoints_reseller").on("reseller_webhook_endpoints").columns(["reseller_id", "created_at"]).execute();

    await t
      .serialId(db.schema.createTable("reseller_webhook_deliveries"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("endpoint_id", "text", (c) => c.notNull().references("reseller_webhook_endpoints.id").onDelete("cascade"))
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("event_type", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_status", "integer")
      .addColumn("last_error", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("last_attempt_at", t.timestamp)
      .addColumn("delivered_at", t.timestamp)
      .execute();
    await db.schema.createIndex("reseller_webhook_deliveries_endpoint").on("reseller_webhook_deliveries").columns(["endpoint_id", "id"]).execute();

    await db.schema.alterTable("resellers").addColumn("low_balance_minor", t.bigint).execute();
  },
};
