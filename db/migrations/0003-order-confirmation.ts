import type { KeyrelayMigration } from "./column-types.ts";

/**
 * orders.confirmation_number: Shopify's random customer-facing order identifier (`XPAV284CT`),
 * which the thank-you page knows and a stranger does not. A guest's thank-you page must name it to
 * read the order's keys (a session token proves the shop, not the buyer).
 */
export const orderConfirmation: KeyrelayMigration = {
  async up(db) {
    await db.schema.alterTable("orders").addColumn("confirmation_number", "text").execute();
  },
};
