import type { InventoryFailure, InventoryItem, InventoryReading } from "../host-connector.ts";
import type { AdminClient } from "./admin-client.ts";
import { INVENTORY_BATCH } from "./graphql/inventory-levels-query.ts";
import { readVariantLevels, syncLocation } from "./read-inventory.ts";

/**
 * The `available` quantity of each variant at the sync location, for drift repair. An untracked
 * variant reads as null: Shopify sells it without limit whatever the number says.
 */
export async function getShopifyInventory(client: AdminClient, items: InventoryItem[], locationId: string | null): Promise<{ levels: InventoryReading[]; failed: InventoryFailure[] }> {
  const failed: InventoryFailure[] = [];
  const productOf = new Map<string, string>();
  for (const i of items) {
    if (i.variantId) productOf.set(i.variantId, i.productId);
    else failed.push({ ...i, kind: "invalid", reason: "a Shopify product's stock is kept on its variants: map a variant" });
  }
  const levels: InventoryReading[] = [];
  if (productOf.size === 0) return { levels, failed };
  const location = await syncLocation(client, locationId);
  const ids = [...productOf.keys()];
  for (let i = 0; i < ids.length; i += INVENTORY_BATCH) {
    const r = await readVariantLevels(client, ids.slice(i, i + INVENTORY_BATCH), location, (v) => productOf.get(v)!);
    failed.push(...r.failed);
    for (const l of r.levels) levels.push({ productId: productOf.get(l.variantId)!, variantId: l.variantId, quantity: l.tracked ? l.available : null });
  }
  return { levels, failed };
}
