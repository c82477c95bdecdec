import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Audit chain (issue 16, part 3): tamper evidence written by a background sealer, never on the
 * order path (recordAudit stays one INSERT). audit_chain holds one entry per sealed audit row, in
 * the order the sealer sealed them (seq), with sha256(previous hash + the row's canonical fields);
 * audit_seals is each account's chain head. An edited row no longer matches its hash, a deleted
 * one leaves its entry without a row.
 */
export const audit: KeyrelayMigration = {
  async up(db, t) {
    await t
      .serialId(db.schema.createTable("audit_chain"))
      .addColumn("audit_id", t.bigint, (c) => c.notNull().unique())
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("prev_hash", "text", (c) => c.notNull())
      .addColumn("row_hash", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_chain_account_id").on("audit_chain").columns(["account_id", "id"]).execute();
    await db.schema
      .createTable("audit_seals")
      .addColumn("account_id", "text", (c) => c.primaryKey())
      .addColumn("last_hash", "text", (c) => c.notNull())
      .addColumn("sealed_rows", t.bigint, (c) => c.notNull())
      .addColumn("sealed_at", t.timestamp, (c) => c.notNull())
      .execute();
  },
};
