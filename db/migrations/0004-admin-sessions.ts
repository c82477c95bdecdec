import type { KeyrelayMigration } from "./column-types.ts";

/**
 * admin_sessions: the standalone admin's sign-ins as server-side records, so signing out, a
 * password change or removing the admin ends a copied cookie at once (a signed cookie alone stays
 * valid until it expires). The cookie carries a random session id; this table keeps only its
 * SHA-256 (`id`), so a read of the database cannot be turned into a login.
 */
export const adminSessions: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("admin_sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("admin_user_id", "text", (c) => c.notNull().references("admin_users.id").onDelete("cascade"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("last_seen_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .addColumn("revoked_at", t.timestamp)
      .addColumn("user_agent", "text")
      .addColumn("ip", "text")
      .execute();
    await db.schema.createIndex("admin_sessions_user").on("admin_sessions").columns(["admin_user_id", "expires_at"]).execute();
  },
};
