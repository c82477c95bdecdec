import type { QueryValue } from "./oauth1-signature.ts";
import type { WooCommerceRestClient } from "./rest-client.ts";

/** Every page of a collection, following X-WP-TotalPages (100 per page, WooCommerce's maximum). */
export async function fetchAllPages<T>(client: WooCommerceRestClient, endpoint: string, query: Record<string, QueryValue | undefined> = {}, maxPages = 50): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const res = await client<T[]>("GET", endpoint, { query: { ...query, per_page: 100, page } });
    if (!Array.isArray(res.body)) break;
    all.push(...res.body);
    const totalPages = Number(res.headers.get("x-wp-totalpages") ?? "1");
    if (!(page < totalPages) || res.body.length === 0) break;
  }
  return all;
}
