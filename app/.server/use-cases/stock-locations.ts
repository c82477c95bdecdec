import type { HostLocation } from "../../../connectors/host-connector.ts";
import { poolsToSync } from "../db/repositories/stock-sync-repo.ts";
import type { Store } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { parseStoreSettings } from "../domain/store-settings.ts";
import type { Services } from "../ports.ts";
import { hostFailure } from "./host-failure.ts";
import type { Actor } from "./manage-pools.ts";
import { requestVerifySync } from "./schedule-stock-sync.ts";
import { updateStoreSettings } from "./update-store-settings.ts";

type Deps = Pick<Services, "db" | "jobs" | "config" | "connectors">;

async function storeOf(s: Pick<Services, "db">, accountId: string, storeId: string): Promise<Store> {
  const store = await s.db.selectFrom("stores").selectAll().where("account_id", "=", accountId).where("id", "=", storeId).executeTakeFirst();
  if (!store) throw new InvalidInputError("store_not_found", "no such store", { field: "storeId", params: { id: storeId } });
  return store;
}

/** Where the store can keep stock (Shopify locations; none on WooCommerce) and which one keyrelay sets. */
export async function listStockLocations(s: Deps, accountId: string, storeId: string): Promise<{ locations: HostLocation[]; chosen: string | null }> {
  const store = await storeOf(s, accountId, storeId);
  // WooCommerce keeps one stock figure per product: nothing to ask the store (whose keys may be gone).
  if (store.platform !== "shopify") return { locations: [], chosen: null };
  try {
    const locations = await (await s.connectors.forStore(store)).listLocations();
    return { locations, chosen: parseStoreSettings(store.settings).inventoryLocationId ?? null };
  } catch (e) {
    return hostFailure(s, store, e);
  }
}

/**
 * Chooses the location whose stock keyrelay sets (null: the shop's primary location), then
 * writes every synced pool's level there at once. The old location keeps the last value written.
 */
export async function chooseStockLocation(s: Deps, accountId: string, storeId: string, locationId: string | null, actor: Actor): Promise<{ chosen: string | null }> {
  const { locations } = await listStockLocations(s, accountId, storeId);
  if (locationId !== null && !locations.some((l) => l.id === locationId)) {
    throw new InvalidInputError("stock_location_unknown", "no such location on this store", { field: "locationId", params: { id: locationId } });
  }
  const primary = locations.find((l) => l.primary)?.id ?? null;
  await updateStoreSettings(s, accountId, storeId, { inventoryLocationId: locationId === null || locationId === primary ? undefined : locationId }, actor);
  for (const p of await poolsToSync(s.db, { accountId, storeId })) await requestVerifySync(s, accountId, p.poolId, { retryBroken: true, tag: "now" });
  return { chosen: locationId };
}
