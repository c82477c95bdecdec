import type { KeyrelayMigration } from "./column-types.ts";

/**
 * The account's settings (domain/account-settings.ts) that had no column yet: its time zone (where
 * its days begin and end), the currency new pools start with, the sender name on the From line of
 * its emails, and the low-stock threshold new pools start with. Defaults keep every existing
 * account as it behaved: UTC days, USD, no name (MAIL_FROM's), no alert.
 */
export const accountSettings: KeyrelayMigration = {
  async up(db) {
    await db.schema.alterTable("accounts").addColumn("time_zone", "text", (c) => c.notNull().defaultTo("UTC")).execute();
    await db.schema.alterTable("accounts").addColumn("currency", "text", (c) => c.notNull().defaultTo("USD")).execute();
    await db.schema.alterTable("accounts").addColumn("mail_sender_name", "text").execute();
    await db.schema.alterTable("accounts").addColumn("low_stock_threshold", "integer", (c) => c.notNull().defaultTo(0)).execute();
  },
};
