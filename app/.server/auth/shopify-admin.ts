import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { installShopifyShop } from "../use-cases/install-shopify-shop.ts";
import { shopifyFor } from "./shopify-app.ts";

/**
 * Authenticates a request from inside the Shopify admin (session token → offline session) and
 * maps the shop to its keyrelay account. Throws the library's redirects/responses as they come.
 * `userId` is the session token's `sub`: the Shopify user who is looking (the sessions are
 * offline tokens, which name no user).
 */
export async function requireShopifyAdmin(s: Services, request: Request): Promise<{ accountId: string; shop: string; userId: string }> {
  const { session, sessionToken } = await shopifyFor(s).authenticate.admin(request);
  // afterAuth creates the store on install; this also covers a session stored before that ran.
  const store = await installShopifyShop(s, { shop: session.shop });
  // Roles are per user: a token that names none must not act as one shared "" identity for every
  // staff member of the shop (the first of them would be everyone's role).
  const userId = typeof sessionToken?.sub === "string" ? sessionToken.sub.trim() : "";
  if (userId === "") throw new InvalidInputError("session_token_no_user", "the session token names no user (sub)", { field: "sub" });
  return { accountId: store.account_id, shop: session.shop, userId };
}
