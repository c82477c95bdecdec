import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Sign-in hardening (issue 17, part 3).
 *
 * - admin_two_factor: an admin's TOTP secret, sealed with the master key (bound to the user id)
 *   like every other secret; `enabled_at` is null while enrolment waits for its first code.
 *   `last_step` is the last TOTP time step accepted, so a code works once (replay).
 * - admin_recovery_codes: SHA-256 of each recovery code (80 random bits), single use (`used_at`).
 * - admin_login_challenges: the second step of a sign-in, between a right password and a right
 *   code: the browser holds a random id, the row its SHA-256, for 5 minutes, once.
 * - password_resets: a "forgot password" link: SHA-256 of a 256-bit token, 1 hour, single use.
 * - accounts.require_owner_2fa: owners must use two-step verification (0/1).
 */
export const twoFactor: KeyrelayMigration = {
  async up(db, t) {
    await db.schema.alterTable("accounts").addColumn("require_owner_2fa", "integer", (c) => c.notNull().defaultTo(0)).execute();

    await db.schema
      .createTable("admin_two_factor")
      .addColumn("admin_user_id", "text", (c) => c.primaryKey().references("admin_users.id").onDelete("cascade"))
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("secret_ciphertext", t.bytes, (c) => c.notNull())
      .addColumn("secret_key_id", "text", (c) => c.notNull())
      .addColumn("enabled_at", t.timestamp)
      .addColumn("last_step", t.bigint)
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("admin_recovery_codes")
      .addColumn("code_hash", "text", (c) => c.primaryKey())
      .addColumn("admin_user_id", "text", (c) => c.notNull().references("admin_users.id").onDelete("cascade"))
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("used_at", t.timestamp)
      .execute();
    await db.schema.createIndex("admin_recovery_codes_user").on("admin_recovery_codes").column("admin_user_id").execute();

    await db.schema
      .createTable("admin_login_challenges")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("admin_user_id", "text", (c) => c.notNull().references("admin_users.id").onDelete("cascade"))
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("used_at", t.timestamp)
      .execute();
    await db.schema.createIndex("admin_login_challenges_user").on("admin_login_challenges").column("admin_user_id").execute();

    await db.schema
      .createTable("password_resets")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("admin_user_id", "text", (c) => c.notNull().references("admin_users.id").onDelete("cascade"))
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .addColumn("used_at", t.timestamp)
      .addColumn("ip", "text")
      .execute();
    await db.schema.createIndex("password_resets_user").on("password_resets").column("admin_user_id").execute();
  },
};
