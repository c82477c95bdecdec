import crypto from "node:crypto";
import { findOrderByExternalId } from "../db/repositories/orders-repo.ts";
import { findStoreByDomain } from "../db/repositories/stores-repo.ts";
import type { Services } from "../ports.ts";
import { showBuyerKeys, type BuyerKeysView, type Reveal } from "./show-buyer-keys.ts";
import { storeIsInactive } from "../domain/store-status.ts";

/** How long after it was placed an order's keys may be read from the thank-you page's token. */
export const CHECKOUT_WINDOW_MS = 24 * 3_600_000;

export interface ExtensionRequest {
  /** The shop from the verified session token's `dest` (a myshopify domain). */
  shop: string;
  /** Shopify's numeric order id (from gid://shopify/Order/<n> or gid://shopify/OrderIdentity/<n>). */
  orderId: string;
  /** Which surface asked: the thank-you page (checkout) or the order status page (customer account). */
  surface: "checkout" | "customer-account";
  /** The token's `sub`: the signed-in customer, when there is one. */
  customer?: string;
  /** The order's confirmation number as the thank-you page knows it (`orderConfirmation.number`). */
  confirmation?: string;
  reveal?: Reveal;
}

/**
 * The checkout extension's read: keys only for that shop's order with that id. An unknown order,
 * another shop's order and an inactive store all answer "not found" alike (the thank-you page may
 * ask before the order's webhook arrives, so the extension keeps polling on it).
 *
 * A session token proves the shop, and the buyer only when they are signed in (`sub`, their
 * customer gid): the order status page needs a signed-in buyer whose customer id is the order's;
 * the thank-you page (right after payment) reads orders placed within the last day, and, when the
 * buyer is signed in, only their own. A guest's thank-you page must also name the order's
 * confirmation number (random, shown only to the buyer), so another checkout's token cannot read
 * an order by guessing its id; an order stored without one (placed before Shopify had them) is
 * bound by the window alone. See docs/architecture.md ("Buyer experience").
 */
export async function getExtensionKeys(
  s: Pick<Services, "db" | "cipher" | "config">,
  req: ExtensionRequest,
  now = new Date(),
): Promise<{ found: false } | { found: true; view: BuyerKeysView }> {
  if (!/^[1-9][0-9]{0,19}$/.test(req.orderId)) return { found: false };
  const store = await findStoreByDomain(s.db, "shopify", req.shop);
  if (!store || storeIsInactive(store.status)) return { found: false };
  const order = await findOrderByExternalId(s.db, store.id, req.orderId);
  if (!order) return { found: false };
  // A signed-in buyer reads only their own orders: the token's customer must be the order's.
  const customer = req.customer ? customerNumber(req.customer) : null;
  const ownBuyer = customer !== null && customer === order.customer_id;
  if (req.surface === "checkout") {
    const placed = Date.parse(order.placed_at ?? order.created_at);
    if (!(now.getTime() - placed < CHECKOUT_WINDOW_MS)) return { found: false };
    if (customer && order.customer_id && !ownBuyer) return { found: false };
    // Not the order's own signed-in buyer: the confirmation number is what proves the page is theirs.
    if (!ownBuyer && order.confirmation_number && !sameConfirmation(req.confirmation, order.confirmation_number)) return { found: false };
  } else if (!ownBuyer) {
    return { found: false };
  }
  return { found: true, view: await showBuyerKeys(s, order, store, "extension", req.reveal ?? "none") };
}

/** "gid://shopify/Customer/123" (or a plain "123") → "123"; null for anything else. */
export function customerNumber(sub: string): string | null {
  const m = /^(?:gid:\/\/shopify\/Customer\/)?([1-9][0-9]{0,19})$/.exec(sub);
  return m ? m[1] : null;
}

/** Compared as Shopify prints it (upper-case letters and digits), in constant time. */
function sameConfirmation(given: string | undefined, stored: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given.trim().toUpperCase());
  const b = Buffer.from(stored.trim().toUpperCase());
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
