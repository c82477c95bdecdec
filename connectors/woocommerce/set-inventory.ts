import type { InventoryFailure, InventoryLevel, InventoryWriteResult } from "../host-connector.ts";
import type { WooCommerceRestClient } from "./rest-client.ts";
import type { WcBatchItem } from "./wire-types.ts";

/** WooCommerce refuses a batch of more than 100 items (413 woocommerce_rest_request_entity_too_large). */
export const BATCH_LIMIT = 100;

/** What WooCommerce says when it silently dropped our stock fields. */
export const STOCK_NOT_APPLIED = "stock was not applied: is stock management enabled in WooCommerce → Settings → Products → Inventory?";

/**
 * Sets absolute stock levels: `manage_stock: true` + `stock_quantity`, products through
 * `products/batch`, variations through `products/{id}/variations/batch`, ≤ 100 per request.
 * A batch answers 200 with an `error` on each item that failed; those are reported per item and
 * the rest stand. An item WooCommerce accepted but did not apply (stock management switched off
 * store-wide: WooCommerce then ignores stock fields silently) is reported as `not_managed`.
 * A whole request failing (429, 5xx, 401) throws: every write is absolute, so retrying all is safe.
 */
export async function setWooCommerceInventory(client: WooCommerceRestClient, levels: InventoryLevel[]): Promise<InventoryWriteResult> {
  const failed: InventoryFailure[] = [];
  for (const [endpoint, group] of groupByEndpoint(levels, failed)) {
    for (const chunk of chunks(group, BATCH_LIMIT)) failed.push(...(await writeBatch(client, endpoint, chunk)));
  }
  // WooCommerce has no separate tracking switch: manage_stock is sent with every write.
  return { failed, trackingEnabled: [] };
}

/** products/batch for products, products/{id}/variations/batch per parent; bad ids fail here. */
export function groupByEndpoint<T extends Omit<InventoryLevel, "quantity">>(items: T[], failed: InventoryFailure[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const l of items) {
    const id = l.variantId ?? l.productId;
    if (!/^\d+$/.test(l.productId) || !/^\d+$/.test(id)) {
      failed.push({ productId: l.productId, variantId: l.variantId, kind: "invalid", reason: "not a WooCommerce product id" });
      continue;
    }
    const endpoint = l.variantId ? `products/${l.productId}/variations` : "products";
    out.set(endpoint, [...(out.get(endpoint) ?? []), l]);
  }
  return out;
}

async function writeBatch(client: WooCommerceRestClient, endpoint: string, levels: InventoryLevel[]): Promise<InventoryFailure[]> {
  const failed: InventoryFailure[] = [];
  const update = levels.map((l) => ({ id: Number(l.variantId ?? l.productId), manage_stock: true, stock_quantity: Math.max(0, Math.floor(l.quantity)) }));
  const { body } = await client<{ update?: (WcBatchItem & { manage_stock?: boolean; stock_quantity?: number | null })[] }>("POST", `${endpoint}/batch`, { body: { update } });
  const answers = Array.isArray(body?.update) ? body.update : [];
  levels.forEach((l, i) => {
    // Answers come back in request order; an error item may lack a usable id.
    const a = answers[i];
    const item = { productId: l.productId, variantId: l.variantId };
    if (!a) failed.push({ ...item, kind: "retryable", reason: "no answer for this item" });
    else if (a.error) failed.push({ ...item, kind: /invalid_id$/.test(a.error.code ?? "") ? "not_found" : "invalid", reason: `${a.error.message ?? "refused"} (${a.error.code ?? "error"})` });
    else if (a.manage_stock !== true || a.stock_quantity !== update[i].stock_quantity) failed.push({ ...item, kind: "not_managed", reason: STOCK_NOT_APPLIED });
  });
  return failed;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
