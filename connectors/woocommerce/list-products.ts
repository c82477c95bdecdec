import type { HostProduct } from "../host-connector.ts";
import { fetchAllPages } from "./paginate.ts";
import type { WooCommerceRestClient } from "./rest-client.ts";
import type { WcProduct, WcVariation } from "./wire-types.ts";

/**
 * Products matching `query` (WooCommerce's `search` covers names and descriptions, not SKUs, so an
 * exact SKU is tried when the search finds nothing), each followed by its variations. A variable
 * product also gets its own row (variantId null): mapping it covers every variation.
 */
export async function listWooCommerceProducts(client: WooCommerceRestClient, query: string, limit = 50): Promise<HostProduct[]> {
  const q = query.trim();
  let { body: products } = await client<WcProduct[]>("GET", "products", { query: { search: q || undefined, per_page: limit, orderby: "title", order: "asc" } });
  if (Array.isArray(products) && products.length === 0 && q) {
    ({ body: products } = await client<WcProduct[]>("GET", "products", { query: { sku: q, per_page: limit } }));
  }
  const rows: HostProduct[] = [];
  for (const p of Array.isArray(products) ? products : []) {
    rows.push({ productId: String(p.id), variantId: null, title: p.name, variantTitle: null, sku: p.sku || null });
    if (p.type !== "variable") continue;
    const variations = await fetchAllPages<WcVariation>(client, `products/${p.id}/variations`);
    for (const v of variations) {
      rows.push({ productId: String(p.id), variantId: String(v.id), title: p.name, variantTitle: variationTitle(v), sku: v.sku || null });
    }
  }
  return rows;
}

function variationTitle(v: WcVariation): string | null {
  const options = (v.attributes ?? []).map((a) => a.option).filter((o): o is string => !!o);
  return options.length ? options.join(" / ") : (v.name ?? null);
}
