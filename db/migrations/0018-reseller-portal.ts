import type { KeyrelayMigration } from "./column-types.ts";

/**
 * The reseller portal (issue 14, part 6): a reseller's own people sign in at /portal, never with
 * the merchant's admin login. Three tables of their own, so no query of the admin's can ever
 * reach a reseller's login or session (and the other way round):
 *
 * - reseller_users: a login of one reseller (email unique across the installation, so the login
 *   form needs no account picker); the password hash is the admin's scheme (crypto/password.ts).
 * - reseller_invitations: the merchant invites an email to a reseller; only the link token's
 *   SHA-256 is kept; single use, revocable, expiring (as team_invitations).
 * - reseller_sessions: a signed-in portal browser, keyed by the SHA-256 of the cookie's random id
 *   (as admin_sessions), with the reseller it acts for.
 */
export const resellerPortal: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("reseller_users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("email", "text", (c) => c.notNull().unique())
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("locale", "text")
      .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_login_at", t.timestamp)
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint("reseller_users_reseller", ["account_id", "reseller_id"], "resellers", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .execute();
    await db.schema.createIndex("reseller_users_reseller").on("reseller_users").columns(["reseller_id"]).execute();

    await db.schema
      .createTable("reseller_invitations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("locale", "text")
      .addColumn("invited_by_type", "text", (c) => c.notNull())
      .addColumn("invited_by_id", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .addColumn("accepted_at", t.timestamp)
      .addColumn("accepted_user_id", "text")
      .addColumn("revoked_at", t.timestamp)
      .addForeignKeyConstraint("reseller_invitations_reseller", ["account_id", "reseller_id"], "resellers", ["account_id", "id"], (fk) => fk.onDelete("cascade"))
      .execute();
    await db.schema.createIndex("reseller_invitations_reseller").on("reseller_invitations").columns(["reseller_id", "email"]).execute();

    await db.schema
      .createTable("reseller_sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("reseller_user_id", "text", (c) => c.notNull().references("reseller_users.id").onDelete("cascade"))
      .addColumn("reseller_id", "text", (c) => c.notNull())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("last_seen_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .addColumn("revoked_at", t.timestamp)
      .addColumn("user_agent", "text")
      .addColumn("ip", "text")
      .execute();
    await db.schema.createIndex("reseller_sessions_user").on("reseller_sessions").columns(["reseller_user_id", "expires_at"]).execute();
  },
};
