import type { InventoryFailure } from "../host-connector.ts";
import type { AdminClient } from "./admin-client.ts";
import { userErrorsError } from "./admin-errors.ts";
import { fromGid, toGid } from "./gid.ts";
import { INVENTORY_LEVELS_QUERY } from "./graphql/inventory-levels-query.ts";
import { PRIMARY_LOCATION_QUERY } from "./graphql/primary-location-query.ts";

export interface VariantLevel {
  variantId: string;
  inventoryItemId: string;
  tracked: boolean;
  available: number;
}

type Node = { id: string; inventoryItem: { id: string; tracked: boolean; inventoryLevel: { quantities: { name: string; quantity: number }[] } | null } } | null;

/**
 * Reads each variant's inventory item, tracking flag and `available` quantity at the location
 * (≤ INVENTORY_BATCH ids per call). A variant Shopify no longer has is `not_found`; one not
 * stocked at the location is `invalid` (the merchant must stock it there or pick another location).
 */
export async function readVariantLevels(
  client: AdminClient,
  variantIds: string[],
  location: string,
  productOf: (variantId: string) => string,
): Promise<{ levels: VariantLevel[]; failed: InventoryFailure[] }> {
  const data = await client.request<{ nodes: Node[] }>("inventoryLevels", INVENTORY_LEVELS_QUERY, { ids: variantIds.map((v) => toGid("ProductVariant", v)), locationId: location });
  const levels: VariantLevel[] = [];
  const failed: InventoryFailure[] = [];
  for (const [i, node] of data.nodes.entries()) {
    const variantId = variantIds[i];
    const productId = productOf(variantId);
    if (!node?.inventoryItem) {
      failed.push({ productId, variantId, kind: "not_found", reason: "variant not found on Shopify" });
      continue;
    }
    const level = node.inventoryItem.inventoryLevel;
    if (!level) {
      failed.push({ productId, variantId, kind: "invalid", reason: "variant is not stocked at the sync location" });
      continue;
    }
    const available = level.quantities.find((q) => q.name === "available")?.quantity ?? 0;
    levels.push({ variantId: fromGid(node.id), inventoryItemId: node.inventoryItem.id, tracked: node.inventoryItem.tracked, available });
  }
  return { levels, failed };
}

export async function primaryLocation(client: AdminClient): Promise<string> {
  const data = await client.request<{ location: { id: string } | null }>("primaryLocation", PRIMARY_LOCATION_QUERY);
  if (!data.location) throw userErrorsError("location", [{ message: "the shop has no primary location" }]);
  return data.location.id;
}

export function syncLocation(client: AdminClient, locationId: string | null): Promise<string> {
  return locationId ? Promise.resolve(toGid("Location", locationId)) : primaryLocation(client);
}
