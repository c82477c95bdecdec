import type { InventoryLevel } from "../../../connectors/host-connector.ts";
import { createAccount, lockAccount } from "../db/repositories/accounts-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { moveStoreToAccount } from "../db/repositories/store-move.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { splitRefusal } from "../domain/store-link.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { assertMayManageStoreLinks } from "./store-link-actor.ts";

export interface SplitOffResult {
  storeId: string;
  storeName: string;
  /** The new, empty account the store belongs to now. */
  accountId: string;
  /** Mappings removed (they pointed at this account's pools). */
  mappingsRemoved: number;
  /** Host items set to 0 so the store stops selling keys it can no longer deliver. */
  stockZeroed: number;
  /** Host items that could not be set to 0 (the merchant should do it on the host). */
  stockZeroFailed: number;
}

type Deps = Pick<Services, "db" | "database" | "connectors">;

/**
 * Unlink, "split off": the store leaves this account for a new one of its own with no pools. Its
 * mappings go (they point at pools it no longer has) and its orders go with it. Refused for the
 * account's last store and for a store whose orders hold this account's keys (domain splitRefusal).
 *
 * The items keyrelay was stocking are then set to 0 on the host: the store would otherwise keep
 * selling the last synced quantity with no keys behind it, and its buyers would pay for nothing.
 * That write is best effort after the move (a host call never holds the transaction); what failed
 * is returned and audited so the merchant can set it by hand.
 */
export async function splitOffStore(s: Deps, accountId: string, storeId: string, actor: Actor): Promise<SplitOffResult> {
  assertMayManageStoreLinks(actor);
  const moved = await s.db.transaction().execute(async (trx) => {
    // Two split-offs of an account's two stores at once must not both see "another store is left"
    // (on Postgres both would pass and leave the account's pools with no store): what is checked
    // below is read under the account's lock.
    await lockAccount(trx, accountId);
    const store = await trx.selectFrom("stores").select(["id", "name"]).where("account_id", "=", accountId).where("id", "=", storeId).executeTakeFirst();
    if (!store) throw new InvalidInputError("store_not_found", "no such store", { field: "storeId", params: { id: storeId } });
    const stores = await trx.selectFrom("stores").select((eb) => eb.fn.countAll<number>().as("n")).where("account_id", "=", accountId).executeTakeFirstOrThrow();
    const keyed = await trx
      .selectFrom("order_lines")
      .innerJoin("orders", "orders.id", "order_lines.order_id")
      .select((eb) => eb.fn.count<number>("orders.id").distinct().as("n"))
      .where("orders.account_id", "=", accountId)
      .where("orders.store_id", "=", store.id)
      .where("order_lines.pool_id", "is not", null)
      .executeTakeFirstOrThrow();
    const refusal = splitRefusal({ storesInAccount: Number(stores.n), keyedOrders: Number(keyed.n) });
    if (refusal?.code === "split_last_store") throw new InvalidInputError(refusal.code, "the account's only store cannot be split off", { field: "storeId" });
    if (refusal?.code === "split_store_has_key_orders") throw new InvalidInputError(refusal.code, "this store's orders hold keys from this account's pools", { field: "storeId", params: { orders: refusal.orders } });

    const old = await trx.selectFrom("accounts").select(["default_locale"]).where("id", "=", accountId).executeTakeFirstOrThrow();
    const account = await createAccount(trx, { name: store.name, defaultLocale: old.default_locale });
    const mappings = await trx
      .selectFrom("product_mappings")
      .select(["id", "product_id", "variant_id", "sync_stock", "last_synced_quantity"])
      .where("account_id", "=", accountId)
      .where("store_id", "=", store.id)
      .execute();
    await trx.deleteFrom("product_mappings").where("account_id", "=", accountId).where("store_id", "=", store.id).execute();
    const now = new Date().toISOString();
    await moveStoreToAccount(trx, s.database.dialect, store.id, accountId, account.id, now);
    const details = { storeName: store.name, fromAccountId: accountId, toAccountId: account.id, mappingsRemoved: mappings.length };
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "store.split_off", subjectType: "store", subjectId: store.id, details });
    await recordAudit(trx, { accountId: account.id, actorType: actor.type, actorId: actor.id ?? null, action: "store.split_off", subjectType: "store", subjectId: store.id, details });
    // Only what keyrelay was setting on the host is zeroed; items it never wrote are not touched.
    const stocked = mappings.filter((m) => m.sync_stock === 1 && m.last_synced_quantity !== null);
    return { store, accountId: account.id, mappingsRemoved: mappings.length, levels: stocked.map((m): InventoryLevel => ({ productId: m.product_id, variantId: m.variant_id || null, quantity: 0 })) };
  });

  let failed = 0;
  if (moved.levels.length > 0) {
    try {
      const store = (await findStoreById(s.db, moved.store.id))!;
      const connector = await s.connectors.forStore(store);
      failed = (await connector.setInventory(moved.levels)).failed.length;
    } catch {
      failed = moved.levels.length;
    }
    await recordAudit(s.db, { accountId: moved.accountId, actorType: "system", action: "store.split_stock_zeroed", subjectType: "store", subjectId: moved.store.id, details: { zeroed: moved.levels.length - failed, failed } });
  }
  return { storeId: moved.store.id, storeName: moved.store.name, accountId: moved.accountId, mappingsRemoved: moved.mappingsRemoved, stockZeroed: moved.levels.length - failed, stockZeroFailed: failed };
}
