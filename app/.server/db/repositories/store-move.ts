import { sql, type Transaction } from "kysely";
import type { Database } from "../schema.ts";

/**
 * Moves a store and its order history (orders, their lines and deliveries, compliance requests)
 * from one account to another, dropping a Shopify shop's staff roles in the old one, inside the caller's transaction. The caller has made sure nothing
 * moved is tied to the old account's pools (no mappings, no lines bound to a pool, hence no
 * allocations): those rows reference pools by (account, pool) and could not follow.
 *
 * The store's id stays (WooCommerce's webhook URL and the sealed secrets' associated data use it).
 * Orders reference (account, store) and lines (account, order): each row is valid only once its
 * parent has moved too, so the checks must wait until everything moved. SQLite: deferred foreign
 * keys for this transaction. Postgres: one statement (its foreign keys are checked at its end).
 */
export async function moveStoreToAccount(trx: Transaction<Database>, dialect: "sqlite" | "postgres", storeId: string, fromAccountId: string, toAccountId: string, now: string): Promise<void> {
  if (dialect === "sqlite") {
    await sql`PRAGMA defer_foreign_keys = ON`.execute(trx);
    await trx.updateTable("stores").set({ account_id: toAccountId, updated_at: now }).where("id", "=", storeId).where("account_id", "=", fromAccountId).execute();
    const orders = trx.selectFrom("orders").select("id").where("store_id", "=", storeId);
    await trx.updateTable("order_lines").set({ account_id: toAccountId }).where("account_id", "=", fromAccountId).where("order_id", "in", orders).execute();
    await trx.updateTable("deliveries").set({ account_id: toAccountId }).where("account_id", "=", fromAccountId).where("order_id", "in", orders).execute();
    await trx.updateTable("orders").set({ account_id: toAccountId }).where("account_id", "=", fromAccountId).where("store_id", "=", storeId).execute();
  } else {
    await sql`
      with moved_store as (
        update stores set account_id = ${toAccountId}, updated_at = ${now} where id = ${storeId} and account_id = ${fromAccountId}
      ), moved_lines as (
        update order_lines set account_id = ${toAccountId}
        where account_id = ${fromAccountId} and order_id in (select id from orders where store_id = ${storeId})
      ), moved_deliveries as (
        update deliveries set account_id = ${toAccountId}
        where account_id = ${fromAccountId} and order_id in (select id from orders where store_id = ${storeId})
      ), moved_orders as (
        update orders set account_id = ${toAccountId} where account_id = ${fromAccountId} and store_id = ${storeId}
      )
      select 1`.execute(trx);
  }
  await trx.updateTable("compliance_requests").set({ account_id: toAccountId }).where("account_id", "=", fromAccountId).where("store_id", "=", storeId).execute();
  // A shop's staff roles belong to the account they were given in: left behind they would keep
  // counting as that account's owners (and its last real owner could step down). They are not
  // carried over either — the new account has its own owner and rules — so they go, and
  // shopifyStaffRole gives each staff member a role in the new account on their next request.
  const moved = await trx.selectFrom("stores").select(["platform", "domain"]).where("id", "=", storeId).executeTakeFirst();
  if (moved?.platform === "shopify") await trx.deleteFrom("shopify_staff_roles").where("account_id", "=", fromAccountId).where("shop", "=", moved.domain).execute();
}
