import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Risk control (issue 13).
 *
 * - risk_rule_sets: an account's current rule-set version. Every change bumps it with a
 *   compare-and-set in the transaction that changes the rules, so a change is atomic and two
 *   editors cannot both build version N+1.
 * - risk_rules: a rule belongs to versions [version_from, version_to): a change closes the rows it
 *   replaces instead of deleting them, so the rules a decision used (by version) can always be read.
 * - risk_list_entries: allow / block lists (email, domain, ip/CIDR, country, customer), optional
 *   expiry; one entry per (account, kind, value).
 * - risk_velocity: one row per decided order — who (email, ip, customer, store), when, how many
 *   keys and how much money — indexed per subject and time, so "keys per IP in the last hour" is
 *   an index range, never a scan of all orders.
 * - risk_decisions: what the rules decided for an order, with the rule-set version, every rule
 *   that matched and the facts, and the review that followed (approve / deny, who, why).
 */
export const risk: KeyrelayMigration = {
  async up(db, t) {
    await db.schema
      .createTable("risk_rule_sets")
      .addColumn("account_id", "text", (c) => c.primaryKey().references("accounts.id").onDelete("cascade"))
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("risk_rules")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("condition", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("shadow", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("version_from", "integer", (c) => c.notNull())
      .addColumn("version_to", "integer")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("risk_rules_account_live").on("risk_rules").columns(["account_id", "version_to", "position"]).execute();

    await db.schema
      .createTable("risk_list_entries")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("expires_at", t.timestamp)
      .addColumn("note", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("risk_list_entries_value", ["account_id", "kind", "value"])
      .execute();

    await db.schema
      .createTable("risk_velocity")
      .addColumn("order_id", "text", (c) => c.primaryKey().references("orders.id").onDelete("cascade"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("store_id", "text")
      .addColumn("email", "text")
      .addColumn("ip", "text")
      .addColumn("customer_id", "text")
      .addColumn("ip_country", "text")
      .addColumn("billing_country", "text")
      .addColumn("keys", "integer", (c) => c.notNull())
      .addColumn("money_minor", t.bigint)
      .addColumn("currency", "text")
      .addColumn("at", t.timestamp, (c) => c.notNull())
      .execute();
    for (const subject of ["email", "ip", "customer_id", "store_id"]) {
      await db.schema.createIndex(`risk_velocity_${subject}`).on("risk_velocity").columns(["account_id", subject, "at"]).execute();
    }
    await db.schema.createIndex("risk_velocity_at").on("risk_velocity").columns(["account_id", "at"]).execute();

    await db.schema
      .createTable("risk_decisions")
      .addColumn("order_id", "text", (c) => c.primaryKey().references("orders.id").onDelete("cascade"))
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("rule_set_version", "integer", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("decided_by_rule_id", "text")
      .addColumn("matched", "text", (c) => c.notNull())
      .addColumn("facts", "text", (c) => c.notNull())
      .addColumn("review_status", "text", (c) => c.notNull())
      .addColumn("reviewed_by_type", "text")
      .addColumn("reviewed_by_id", "text")
      .addColumn("reviewed_at", t.timestamp)
      .addColumn("review_reason", "text")
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("risk_decisions_queue").on("risk_decisions").columns(["account_id", "review_status", "created_at"]).execute();
  },
};
