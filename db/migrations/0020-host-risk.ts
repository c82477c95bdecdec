import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Host risk (issue 13, the host side).
 *
 * - accounts.risk_host_wait_minutes: how long an order whose rules read the host's risk waits for
 *   the host's analysis (Shopify's can still be PENDING at orders/paid time) before the fallback
 *   applies; accounts.risk_host_fallback: that fallback, `review` (hold it) or `allow` (decide
 *   without the host's risk). Both say so in the decision ("host risk unavailable").
 * - risk_decisions.host_assessment: what became of keyrelay's own verdict written to the host order
 *   (Shopify orderRiskAssessmentCreate): null not yet/not applicable, `written`, or `skipped` with
 *   the reason in host_assessment_error (a missing scope is recorded, it never blocks delivery).
 * - risk_disputes: a payment dispute on an order (Shopify disputes/create), once per host dispute:
 *   what was revoked, and the merchant's answer to the offer to block the buyer (blocked_at /
 *   dismissed_at), so the order page offers it until then.
 */
export const hostRisk: KeyrelayMigration = {
  async up(db, t) {
    await db.schema.alterTable("accounts").addColumn("risk_host_wait_minutes", "integer", (c) => c.notNull().defaultTo(10)).execute();
    await db.schema.alterTable("accounts").addColumn("risk_host_fallback", "text", (c) => c.notNull().defaultTo("review")).execute();
    await db.schema.alterTable("risk_decisions").addColumn("host_assessment", "text").execute();
    await db.schema.alterTable("risk_decisions").addColumn("host_assessment_error", "text").execute();
    await db.schema
      .createTable("risk_disputes")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
      .addColumn("external_dispute_id", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("reason", "text")
      .addColumn("revoked", "integer", (c) => c.notNull())
      .addColumn("returned", "integer", (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("offer_closed_at", t.timestamp)
      .addUniqueConstraint("risk_disputes_external", ["order_id", "external_dispute_id"])
      .execute();
    await db.schema.createIndex("risk_disputes_account_order").on("risk_disputes").columns(["account_id", "order_id"]).execute();
  },
};
