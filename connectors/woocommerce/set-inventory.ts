import type { InventoryLevel } from "../host-connector.ts";
import type { WooCommerceRestClient } from "./rest-client.ts";
import type { WcBatchItem } from "./wire-types.ts";

/** WooCommerce refuses a batch of more than 100 items (413 woocommerce_rest_request_entity_too_large). */
export const BATCH_LIMIT = 100;

export interface InventoryFailure {
  productId: string;
  variantId: string | null;
  reason: string;
}

/**
 * Sets absolute stock levels: `manage_stock: true` + `stock_quantity`, products through
 * `products/batch`, variations through `products/{id}/variations/batch`, ≤ 100 per request.
 * A batch answers 200 with an `error` on each item that failed; those are reported per item and
 * the rest stand. An item WooCommerce accepted but did not apply (stock management switched off
 * store-wide: WooCommerce then ignores stock fields silently) is reported as failed too.
 * A whole request failing (429, 5xx, 401) throws: every write is absolute, so retrying all is safe.
 */
export async function setWooCommerceInventory(client: WooCommerceRestClient, levels: InventoryLevel[]): Promise<{ failed: InventoryFailure[] }> {
  const failed: InventoryFailure[] = [];
  const simple = levels.filter((l) => !l.variantId);
  const byParent = new Map<string, InventoryLevel[]>();
  for (const l of levels) if (l.variantId) byParent.set(l.productId, [...(byParent.get(l.productId) ?? []), l]);

  for (const chunk of chunks(simple, BATCH_LIMIT)) {
    failed.push(...(await writeBatch(client, "products/batch", chunk, (l) => l.productId)));
  }
  for (const [productId, group] of byParent) {
    if (!/^\d+$/.test(productId)) {
      failed.push(...group.map((l) => ({ productId, variantId: l.variantId, reason: "not a WooCommerce product id" })));
      continue;
    }
    for (const chunk of chunks(group, BATCH_LIMIT)) {
      failed.push(...(await writeBatch(client, `products/${productId}/variations/batch`, chunk, (l) => l.variantId!)));
    }
  }
  return { failed };
}

async function writeBatch(client: WooCommerceRestClient, endpoint: string, levels: InventoryLevel[], idOf: (l: InventoryLevel) => string): Promise<InventoryFailure[]> {
  const failed: InventoryFailure[] = [];
  const valid = levels.filter((l) => {
    if (/^\d+$/.test(idOf(l))) return true;
    failed.push({ productId: l.productId, variantId: l.variantId, reason: "not a WooCommerce id" });
    return false;
  });
  if (valid.length === 0) return failed;
  const update = valid.map((l) => ({ id: Number(idOf(l)), manage_stock: true, stock_quantity: Math.max(0, Math.floor(l.quantity)) }));
  const { body } = await client<{ update?: (WcBatchItem & { manage_stock?: boolean; stock_quantity?: number | null })[] }>("POST", endpoint, { body: { update } });
  const answers = Array.isArray(body?.update) ? body.update : [];
  valid.forEach((l, i) => {
    // Answers come back in request order; an error item may lack a usable id.
    const a = answers[i];
    if (!a) failed.push({ productId: l.productId, variantId: l.variantId, reason: "no answer for this item" });
    else if (a.error) failed.push({ productId: l.productId, variantId: l.variantId, reason: `${a.error.message ?? "refused"} (${a.error.code ?? "error"})` });
    else if (a.manage_stock !== true || a.stock_quantity !== update[i].stock_quantity) {
      failed.push({ productId: l.productId, variantId: l.variantId, reason: "stock was not applied: is stock management enabled in WooCommerce → Settings → Products → Inventory?" });
    }
  });
  return failed;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
