import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Team members and roles (issue 17, part 2).
 *
 * - admin_users.role: `staff` becomes `manager`. A staff login could do everything but nothing
 *   was called "team" before, so manager (pools, imports, mappings, stores, orders; no team, no
 *   key rotation) is the closest role that takes nothing day-to-day away from them.
 * - team_invitations: an email invited to an account with a role. Only the token's SHA-256 is
 *   kept (`token_hash`), so a read of the database cannot be turned into an account; single use
 *   (`accepted_at`), revocable, and it expires (`expires_at`).
 * - shopify_staff_roles: the role of a Shopify staff member (the session token's `sub`) in the
 *   embedded admin, per account and shop.
 */
export const team: KeyrelayMigration = {
  async up(db, t) {
    await db.updateTable("admin_users").set({ role: "manager" }).where("role", "=", "staff").execute();

    await db.schema
      .createTable("team_invitations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("locale", "text")
      .addColumn("invited_by_type", "text", (c) => c.notNull())
      .addColumn("invited_by_id", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("sent_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .addColumn("accepted_at", t.timestamp)
      .addColumn("accepted_user_id", "text")
      .addColumn("revoked_at", t.timestamp)
      .execute();
    await db.schema.createIndex("team_invitations_account").on("team_invitations").columns(["account_id", "email"]).execute();

    await db.schema
      .createTable("shopify_staff_roles")
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("shop", "text", (c) => c.notNull())
      .addColumn("shopify_user_id", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("first_seen_at", t.timestamp, (c) => c.notNull())
      .addColumn("last_seen_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint("shopify_staff_roles_pk", ["account_id", "shop", "shopify_user_id"])
      .execute();
  },
};
