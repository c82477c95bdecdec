import type { Services } from "../ports.ts";
import { installShopifyShop } from "../use-cases/install-shopify-shop.ts";
import { shopifyFor } from "./shopify-app.ts";

/**
 * Authenticates a request from inside the Shopify admin (session token → offline session) and
 * maps the shop to its keyrelay account. Throws the library's redirects/responses as they come.
 */
export async function requireShopifyAdmin(s: Services, request: Request): Promise<{ accountId: string; shop: string }> {
  const { session } = await shopifyFor(s).authenticate.admin(request);
  // afterAuth creates the store on install; this also covers a session stored before that ran.
  const store = await installShopifyShop(s, { shop: session.shop });
  return { accountId: store.account_id, shop: session.shop };
}
