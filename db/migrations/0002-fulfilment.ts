import { sql } from "kysely";
import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Order fulfilment:
 * - product_mappings: a mapping is for a whole product (variant_id '') or one variant, unique per
 *   (store, product, variant); the first schema allowed one row per variant id only. Rebuilt (it
 *   had no writer before this migration), keeping any rows.
 * - stores: what needs the merchant's attention (revoked credentials, missing webhooks), and the
 *   id of the webhook keyrelay registered on a WooCommerce store.
 * - pools: the buyer email template (subject, HTML, plain text); null uses the default.
 * - deliveries: the reference of the content a channel last delivered.
 * - compliance_requests: Shopify's customers/data_request, customers/redact and shop/redact, kept.
 * - jobs: at most one running row per dedupe key.
 * - orders: the host's customer id.
 */
export const fulfilment: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("product_mappings_v2")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("store_id", "text", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("product_id", "text", (c) => c.notNull())
      // '' maps every variant of the product; a variant's own mapping wins over it.
      .addColumn("variant_id", "text", (c) => c.notNull().defaultTo(""))
      .addColumn("title", "text")
      .addColumn("units_per_item", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("sync_stock", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
      .addColumn("last_synced_quantity", "integer")
      .addColumn("last_synced_at", t.timestamp)
      .addColumn("last_sync_error", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("product_mappings_store_item", ["store_id", "product_id", "variant_id"])
      .addForeignKeyConstraint("product_mappings_v2_store", ["account_id", "store_id"], "stores", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .addForeignKeyConstraint("product_mappings_v2_pool", ["account_id", "pool_id"], "pools", ["account_id", "id"])
      .execute();
    await sql`insert into product_mappings_v2 select * from product_mappings`.execute(db);
    await db.schema.dropTable("product_mappings").execute();
    await db.schema.alterTable("product_mappings_v2").renameTo("product_mappings").execute();
    await db.schema.createIndex("product_mappings_pool_v2").on("product_mappings").column("pool_id").execute();
    // When stock sync found the host not tracking the item's inventory and turned tracking on.
    await db.schema.alterTable("product_mappings").addColumn("tracking_enabled_at", t.timestamp).execute();

    await db.schema.alterTable("stores").addColumn("attention", "text").execute();
    await db.schema.alterTable("stores").addColumn("attention_at", t.timestamp).execute();
    await db.schema.alterTable("stores").addColumn("host_webhook_id", "text").execute();

    await db.schema.alterTable("pools").addColumn("email_subject", "text").execute();
    await db.schema.alterTable("pools").addColumn("email_html", "text").execute();
    await db.schema.alterTable("pools").addColumn("email_text", "text").execute();

    await db.schema.alterTable("deliveries").addColumn("reference", "text").execute();
    // The host's customer id: a buyer's view of keys (order status page) must be their own order.
    await db.schema.alterTable("orders").addColumn("customer_id", "text").execute();

    await t
      .serialId(db.schema.createTable("compliance_requests"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("store_id", "text")
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("customer_email", "text")
      .addColumn("customer_id", "text")
      .addColumn("order_ids", "text", (c) => c.notNull())
      /** JSON: what keyrelay held (data_request) or erased (redact). */
      .addColumn("summary", "text", (c) => c.notNull())
      .addColumn("webhook_event_id", t.bigint)
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("compliance_requests_account").on("compliance_requests").columns(["account_id", "created_at"]).execute();
    // Reconciliation and the orders page look orders up by store and recency.
    await db.schema.createIndex("orders_store_updated").on("orders").columns(["store_id", "updated_at"]).execute();
    await db.schema.createIndex("order_lines_order").on("order_lines").column("order_id").execute();
    await db.schema.createIndex("allocations_key").on("allocations").column("key_id").execute();
    // One running job per dedupe key: two deliveries of the same order (a new row enqueued while
    // the previous one runs) would otherwise write the host note or send the email side by side.
    await db.schema
      .createIndex("jobs_running_dedupe")
      .on("jobs")
      .column("dedupe_key")
      .unique()
      .where(sql.ref("status"), "=", "running")
      .execute();
  },
};
