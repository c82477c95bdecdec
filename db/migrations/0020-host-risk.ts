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
 */
export const hostRisk: KeyrelayMigration = {
  async up(db) {
    await db.schema.alterTable("accounts").addColumn("risk_host_wait_minutes", "integer", (c) => c.notNull().defaultTo(10)).execute();
    await db.schema.alterTable("accounts").addColumn("risk_host_fallback", "text", (c) => c.notNull().defaultTo("review")).execute();
    await db.schema.alterTable("risk_decisions").addColumn("host_assessment", "text").execute();
    await db.schema.alterTable("risk_decisions").addColumn("host_assessment_error", "text").execute();
  },
};
