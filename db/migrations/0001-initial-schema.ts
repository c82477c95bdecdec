import { sql, type Kysely } from "kysely";
import type { ColumnTypes, KeyrelayMigration } from "./column-types.ts";

/**
 * The whole data model (see app/.server/db/schema.ts for what each column means).
 * Later issues fill these tables; new needs come as new migrations.
 *
 * Account consistency is enforced by the schema, not only by queries: every merchant-owned parent
 * is unique on (account_id, id), and children reference it with a composite foreign key, so a
 * mapping, key, order or allocation can never point at another account's row.
 */
export const initialSchema: KeyrelayMigration = {
  async up(db: Kysely<any>, t: ColumnTypes) {
    // Process-wide key material (sealed under the master key) and other installation facts.
    await db.schema
      .createTable("system_settings")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("value", t.bytes, (c) => c.notNull())
      .addColumn("key_id", "text")
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("accounts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("default_locale", "text", (c) => c.notNull().defaultTo("en"))
      .addColumn("alert_email", "text")
      .addColumn("mail_from", "text")
      .addColumn("mail_reply_to", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("admin_users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("email", "text", (c) => c.notNull().unique())
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull().defaultTo("owner"))
      .addColumn("locale", "text")
      .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_login_at", t.timestamp)
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("admin_users_account").on("admin_users").column("account_id").execute();

    await db.schema
      .createTable("shopify_sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("shop", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("is_online", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("scope", "text")
      .addColumn("expires", t.bigint)
      .addColumn("access_token", "text")
      .addColumn("refresh_token", "text")
      .addColumn("refresh_token_expires", t.bigint)
      .addColumn("user_id", "text")
      .addColumn("first_name", "text")
      .addColumn("last_name", "text")
      .addColumn("email", "text")
      .addColumn("account_owner", "integer")
      .addColumn("locale", "text")
      .addColumn("collaborator", "integer")
      .addColumn("email_verified", "integer")
      .execute();
    await db.schema.createIndex("shopify_sessions_shop").on("shopify_sessions").column("shop").execute();

    await db.schema
      .createTable("stores")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("platform", "text", (c) => c.notNull())
      .addColumn("domain", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("credentials_ciphertext", t.bytes)
      .addColumn("credentials_key_id", "text")
      .addColumn("webhook_secret_ciphertext", t.bytes)
      .addColumn("webhook_secret_key_id", "text")
      .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
      .addColumn("settings", "text", (c) => c.notNull().defaultTo("{}"))
      .addColumn("locale", "text")
      .addColumn("currency", "text")
      .addColumn("reconcile_cursor", "text")
      .addColumn("reconciled_at", t.timestamp)
      .addColumn("installed_at", t.timestamp)
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("stores_platform_domain", ["platform", "domain"])
      .addUniqueConstraint("stores_account_id", ["account_id", "id"])
      .execute();
    await db.schema.createIndex("stores_account").on("stores").column("account_id").execute();

    await db.schema
      .createTable("pools")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("sku", "text")
      .addColumn("notes", "text")
      .addColumn("low_stock_threshold", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("default_cost_minor", t.bigint)
      .addColumn("currency", "text")
      .addColumn("format_regex", "text")
      .addColumn("case_insensitive", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("refund_policy", "text", (c) => c.notNull().defaultTo("revoke"))
      .addColumn("delivery_template", "text")
      .addColumn("reveal_on_click", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("low_stock_alerted_at", t.timestamp)
      .addColumn("archived_at", t.timestamp)
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("pools_account_id", ["account_id", "id"])
      .execute();

    await db.schema
      .createTable("key_batches")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("supplier", "text")
      .addColumn("notes", "text")
      .addColumn("source_name", "text")
      .addColumn("cost_minor", t.bigint)
      .addColumn("currency", "text")
      .addColumn("expires_at", t.timestamp)
      .addColumn("key_count", "integer", (c) => c.notNull().defaultTo(0))
      // importing → committing → active, or aborted: an import is all-or-nothing without holding
      // SQLite's write lock for the whole file (see use-cases/import-keys.ts).
      .addColumn("status", "text", (c) => c.notNull().defaultTo("importing"))
      // Touched by a running import after every chunk; recovery only removes imports gone quiet.
      .addColumn("progress_at", t.timestamp)
      .addColumn("created_by", "text")
      .addColumn("voided_at", t.timestamp)
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("key_batches_account_id", ["account_id", "id"])
      .addForeignKeyConstraint("key_batches_pool", ["account_id", "pool_id"], "pools", ["account_id", "id"])
      .execute();
    await db.schema.createIndex("key_batches_status").on("key_batches").columns(["status", "progress_at"]).execute();
    await db.schema.createIndex("key_batches_pool").on("key_batches").columns(["pool_id", "created_at"]).execute();

    await t
      .serialId(db.schema.createTable("keys"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("batch_id", "text", (c) => c.notNull())
      .addColumn("ciphertext", t.bytes, (c) => c.notNull())
      .addColumn("key_id", "text", (c) => c.notNull())
      .addColumn("fingerprint", t.bytes, (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull().defaultTo("available"))
      .addColumn("cost_minor", t.bigint)
      .addColumn("expires_at", t.timestamp)
      .addColumn("allocated_at", t.timestamp)
      .addColumn("delivered_at", t.timestamp)
      .addColumn("state_changed_at", t.timestamp, (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("keys_account_fingerprint", ["account_id", "fingerprint"])
      .addForeignKeyConstraint("keys_pool", ["account_id", "pool_id"], "pools", ["account_id", "id"])
      .addForeignKeyConstraint("keys_batch", ["account_id", "batch_id"], "key_batches", ["account_id", "id"])
      .execute();
    // Allocation claims the oldest available key of a pool: (pool, state, id) serves that scan.
    await db.schema.createIndex("keys_pool_state").on("keys").columns(["pool_id", "state", "id"]).execute();
    await db.schema.createIndex("keys_batch").on("keys").columns(["batch_id", "state"]).execute();
    await db.schema.createIndex("keys_master_key").on("keys").columns(["key_id", "id"]).execute();
    // The expiry sweep looks only at keys that can expire; keys without an expiry pay nothing.
    await db.schema.createIndex("keys_expiring").on("keys").columns(["expires_at", "state"]).where(sql.ref("expires_at"), "is not", null).execute();

    await db.schema
      .createTable("product_mappings")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("store_id", "text", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("product_id", "text", (c) => c.notNull())
      .addColumn("variant_id", "text", (c) => c.notNull())
      .addColumn("title", "text")
      .addColumn("units_per_item", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("sync_stock", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
      .addColumn("last_synced_quantity", "integer")
      .addColumn("last_synced_at", t.timestamp)
      .addColumn("last_sync_error", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("product_mappings_store_variant", ["store_id", "variant_id"])
      .addForeignKeyConstraint("product_mappings_store", ["account_id", "store_id"], "stores", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .addForeignKeyConstraint("product_mappings_pool", ["account_id", "pool_id"], "pools", ["account_id", "id"])
      .execute();
    await db.schema.createIndex("product_mappings_pool").on("product_mappings").column("pool_id").execute();

    await db.schema
      .createTable("resellers")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("email", "text")
      .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("resellers_account_id", ["account_id", "id"])
      .execute();

    await db.schema
      .createTable("orders")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      // An order comes from a host store or from a reseller's API purchase: exactly one of them.
      .addColumn("store_id", "text")
      .addColumn("reseller_id", "text")
      .addColumn("external_id", "text", (c) => c.notNull())
      .addColumn("name", "text")
      .addColumn("email", "text")
      .addColumn("customer_name", "text")
      .addColumn("locale", "text")
      .addColumn("currency", "text")
      .addColumn("total_minor", t.bigint)
      .addColumn("financial_status", "text")
      .addColumn("status", "text", (c) => c.notNull().defaultTo("received"))
      .addColumn("risk_decision", "text", (c) => c.notNull().defaultTo("none"))
      .addColumn("risk_reasons", "text")
      .addColumn("placed_at", t.timestamp)
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("orders_store_external", ["store_id", "external_id"])
      .addUniqueConstraint("orders_reseller_external", ["reseller_id", "external_id"])
      .addUniqueConstraint("orders_account_id", ["account_id", "id"])
      .addForeignKeyConstraint("orders_store", ["account_id", "store_id"], "stores", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .addForeignKeyConstraint("orders_reseller", ["account_id", "reseller_id"], "resellers", ["account_id", "id"])
      .addCheckConstraint("orders_one_source", sql`(store_id is null) <> (reseller_id is null)`)
      .execute();
    await db.schema.createIndex("orders_account_created").on("orders").columns(["account_id", "created_at"]).execute();
    await db.schema.createIndex("orders_account_email").on("orders").columns(["account_id", "email"]).execute();
    await db.schema.createIndex("orders_account_name").on("orders").columns(["account_id", "name"]).execute();

    await db.schema
      .createTable("order_lines")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("external_line_id", "text", (c) => c.notNull())
      .addColumn("product_id", "text")
      .addColumn("variant_id", "text")
      .addColumn("title", "text")
      .addColumn("quantity", "integer", (c) => c.notNull())
      .addColumn("refunded_quantity", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("unit_price_minor", t.bigint)
      .addColumn("mapping_id", "text")
      .addColumn("pool_id", "text")
      .addColumn("units_per_item", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("order_lines_order_external", ["order_id", "external_line_id"])
      .addUniqueConstraint("order_lines_account_id", ["account_id", "id"])
      .addForeignKeyConstraint("order_lines_order", ["account_id", "order_id"], "orders", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .addForeignKeyConstraint("order_lines_pool", ["account_id", "pool_id"], "pools", ["account_id", "id"])
      .execute();

    await t
      .serialId(db.schema.createTable("allocations"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("order_line_id", "text", (c) => c.notNull())
      .addColumn("unit_index", "integer", (c) => c.notNull())
      .addColumn("pool_id", "text", (c) => c.notNull())
      .addColumn("key_id", t.bigint, (c) => c.references("keys.id"))
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("fulfilled_at", t.timestamp)
      // Exactly once: one allocation per unit of a line.
      .addUniqueConstraint("allocations_line_unit", ["order_line_id", "unit_index"])
      .addForeignKeyConstraint("allocations_line", ["account_id", "order_line_id"], "order_lines", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .addForeignKeyConstraint("allocations_pool", ["account_id", "pool_id"], "pools", ["account_id", "id"])
      .execute();
    // …and one live allocation per key: a key returned to stock may be allocated again later,
    // so the history rows (returned, revoked, dropped) are outside the constraint.
    await db.schema
      .createIndex("allocations_live_key")
      .on("allocations")
      .column("key_id")
      .unique()
      .where(sql.ref("status"), "=", "allocated")
      .execute();
    // Backorders are filled oldest first per pool.
    await db.schema.createIndex("allocations_pool_status").on("allocations").columns(["pool_id", "status", "id"]).execute();

    await t
      .serialId(db.schema.createTable("webhook_events"))
      .addColumn("account_id", "text")
      .addColumn("store_id", "text")
      .addColumn("platform", "text", (c) => c.notNull())
      .addColumn("topic", "text", (c) => c.notNull())
      .addColumn("delivery_id", "text")
      .addColumn("dedupe_key", "text", (c) => c.notNull().unique())
      .addColumn("payload_hash", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull().defaultTo("received"))
      .addColumn("error", "text")
      .addColumn("triggered_at", t.timestamp)
      .addColumn("received_at", t.timestamp, (c) => c.notNull())
      .addColumn("processed_at", t.timestamp)
      .execute();
    await db.schema.createIndex("webhook_events_store").on("webhook_events").columns(["store_id", "received_at"]).execute();

    await t
      .serialId(db.schema.createTable("jobs"))
      .addColumn("queue", "text", (c) => c.notNull())
      .addColumn("account_id", "text")
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("dedupe_key", "text")
      .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("max_attempts", "integer", (c) => c.notNull().defaultTo(10))
      .addColumn("run_at", t.timestamp, (c) => c.notNull())
      .addColumn("locked_at", t.timestamp)
      .addColumn("locked_by", "text")
      .addColumn("last_error", "text")
      .addColumn("error_kind", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addColumn("completed_at", t.timestamp)
      .execute();
    await db.schema.createIndex("jobs_status_run_at").on("jobs").columns(["status", "run_at"]).execute();
    await db.schema.createIndex("jobs_queue_status").on("jobs").columns(["queue", "status"]).execute();
    await db.schema.createIndex("jobs_account_status").on("jobs").columns(["account_id", "status"]).execute();
    // A dedupe key merges requests only while one is waiting: once it runs, new work gets a new row.
    await db.schema
      .createIndex("jobs_pending_dedupe")
      .on("jobs")
      .column("dedupe_key")
      .unique()
      .where(sql.ref("status"), "=", "pending")
      .execute();

    await t
      .serialId(db.schema.createTable("deliveries"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("channel", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_error", "text")
      .addColumn("sent_at", t.timestamp)
      .addColumn("first_viewed_at", t.timestamp)
      .addColumn("view_count", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("deliveries_order_channel", ["order_id", "channel"])
      .addForeignKeyConstraint("deliveries_order", ["account_id", "order_id"], "orders", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .execute();

    await db.schema
      .createTable("reseller_tokens")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("token_hash", t.bytes, (c) => c.notNull().unique())
      .addColumn("scopes", "text", (c) => c.notNull())
      .addColumn("last_used_at", t.timestamp)
      .addColumn("revoked_at", t.timestamp)
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint("reseller_tokens_reseller", ["account_id", "reseller_id"], "resellers", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .execute();

    await t
      .serialId(db.schema.createTable("audit_log"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("actor_type", "text", (c) => c.notNull())
      .addColumn("actor_id", "text")
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("subject_type", "text")
      .addColumn("subject_id", "text")
      .addColumn("details", "text")
      .addColumn("ip", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_log_account_created").on("audit_log").columns(["account_id", "created_at"]).execute();
  },
};
