import type { KeyrelayMigration } from "./column-types.ts";

/**
 * link_codes: one-time codes that link a store of one account to another account (made in one
 * admin, typed into the other). Only the code's SHA-256 is kept (`id`), so a read of the database
 * cannot be turned into a link; a code is single use (`used_at`) and short-lived (`expires_at`).
 */
export const linkCodes: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("link_codes")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("created_by_type", "text", (c) => c.notNull())
      .addColumn("created_by_id", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .addColumn("used_at", t.timestamp)
      .addColumn("used_by_store_id", "text")
      .execute();
    await db.schema.createIndex("link_codes_account").on("link_codes").columns(["account_id", "expires_at"]).execute();
  },
};
