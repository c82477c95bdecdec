import { linkKey, verifyBuyerLink } from "../crypto/buyer-link.ts";
import { getAccount } from "../db/repositories/accounts-repo.ts";
import { findOrderById } from "../db/repositories/orders-repo.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { chooseBuyerLocale } from "../domain/buyer-locale.ts";
import type { Services } from "../ports.ts";
import { matchLocale, type Locale } from "../../i18n/i18n.ts";
import { showBuyerKeys, type BuyerKeysView, type Reveal } from "./show-buyer-keys.ts";

export type KeyPageResult =
  | { kind: "keys"; view: BuyerKeysView; expiresAt: Date }
  /** A genuine link past its deadline: the page names the shop to ask for a new one. */
  | { kind: "expired"; shopName: string; locale: Locale }
  /** Tampered, truncated, foreign, or its order is gone: nothing about any order is said. */
  | { kind: "invalid" };

/**
 * The signed key page (`/k/<token>`): the token is the only way in — there is no lookup by email
 * or order number. A valid link shows the order's keys (recording the view); an expired one says
 * whose shop to ask; anything else is simply not a link.
 */
export async function openKeyPage(s: Pick<Services, "db" | "cipher" | "config" | "sessionSecret">, token: string, reveal: Reveal = "none", now = new Date()): Promise<KeyPageResult> {
  const check = verifyBuyerLink(linkKey(s.sessionSecret), token, now);
  if (check.status === "invalid") return { kind: "invalid" };
  const order = await findOrderById(s.db, check.orderId);
  const store = order?.store_id ? await findStoreById(s.db, order.store_id) : undefined;
  if (!order || !store) return { kind: "invalid" };
  if (check.status === "expired") {
    const account = await getAccount(s.db, order.account_id);
    const locale = chooseBuyerLocale({ order: order.locale, store: store.locale, account: account?.default_locale }, matchLocale, s.config.defaultLocale);
    return { kind: "expired", shopName: store.name, locale };
  }
  return { kind: "keys", view: await showBuyerKeys(s, order, store, "buyer_page", reveal), expiresAt: check.expiresAt };
}
