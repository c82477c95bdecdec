import type { InventoryFailure, InventoryItem, InventoryReading } from "../host-connector.ts";
import type { WooCommerceRestClient } from "./rest-client.ts";
import { BATCH_LIMIT, chunks, groupByEndpoint } from "./set-inventory.ts";

interface StockFields {
  id: number;
  manage_stock?: boolean | "parent";
  stock_quantity?: number | null;
}

/**
 * Current stock of products and variations, ≤ 100 ids per `GET products?include=…` (or the
 * parent's `variations?include=…`). `manage_stock` false reads as null: WooCommerce sells the item
 * without limit. An id missing from the answer was deleted (or trashed) on the store.
 */
export async function getWooCommerceInventory(client: WooCommerceRestClient, items: InventoryItem[]): Promise<{ levels: InventoryReading[]; failed: InventoryFailure[] }> {
  const failed: InventoryFailure[] = [];
  const levels: InventoryReading[] = [];
  for (const [endpoint, group] of groupByEndpoint(items, failed)) {
    for (const chunk of chunks(group, BATCH_LIMIT)) {
      const ids = chunk.map((i) => i.variantId ?? i.productId);
      const { body } = await client<StockFields[]>("GET", endpoint, { query: { include: ids.join(","), per_page: BATCH_LIMIT, _fields: "id,manage_stock,stock_quantity" } });
      const byId = new Map((Array.isArray(body) ? body : []).map((r) => [String(r.id), r]));
      chunk.forEach((item, i) => {
        const row = byId.get(ids[i]);
        if (!row) failed.push({ ...item, kind: "not_found", reason: `${item.variantId ? "variation" : "product"} not found on WooCommerce` });
        else levels.push({ ...item, quantity: row.manage_stock === true && typeof row.stock_quantity === "number" ? row.stock_quantity : null });
      });
    }
  }
  return { levels, failed };
}
