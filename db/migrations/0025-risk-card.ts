import type { KeyrelayMigration } from "./column-types.ts";

/**
 * The card an order was paid with, for risk rules (issue 13): `card` is `BIN…LAST4`
 * (424242…4242) where the host shows it (Shopify), null otherwise; `card_brand` as the host names
 * it. Indexed per (account, card, time) like the other velocity subjects, so `orders_per_card_24h`
 * is one range read, never a scan. Rows from before have no card: their card is unknown.
 */
export const riskCard: KeyrelayMigration = {
  async up(db) {
    await db.schema.alterTable("risk_velocity").addColumn("card", "text").execute();
    await db.schema.alterTable("risk_velocity").addColumn("card_brand", "text").execute();
    await db.schema.createIndex("risk_velocity_card").on("risk_velocity").columns(["account_id", "card", "at"]).execute();
  },
};
