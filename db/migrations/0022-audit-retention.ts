import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Audit retention (issue 16, part 3): accounts.audit_retention_days (null: keep every row, the
 * default) and audit_anchors, where pruning records each account's chain from then on: the hash
 * of the last pruned row (the retained chain's first prev_hash), its chain position, and how many
 * rows were pruned in all. `audit verify` starts from the anchor instead of the genesis hash.
 */
export const auditRetention: KeyrelayMigration = {
  async up(db, t) {
    await db.schema.alterTable("accounts").addColumn("audit_retention_days", "integer").execute();
    await db.schema
      .createTable("audit_anchors")
      .addColumn("account_id", "text", (c) => c.primaryKey())
      .addColumn("last_seq", t.bigint, (c) => c.notNull())
      .addColumn("last_hash", "text", (c) => c.notNull())
      .addColumn("pruned_rows", t.bigint, (c) => c.notNull())
      .addColumn("pruned_at", t.timestamp, (c) => c.notNull())
      .execute();
  },
};
