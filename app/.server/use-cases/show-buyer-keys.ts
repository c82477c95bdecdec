import type { KeyPayload } from "../crypto/key-payload.ts";
import { getAccount } from "../db/repositories/accounts-repo.ts";
import { recordDeliveryView } from "../db/repositories/delivery-views-repo.ts";
import { listOrderLines } from "../db/repositories/orders-repo.ts";
import type { Order, Store } from "../db/schema.ts";
import { chooseBuyerLocale } from "../domain/buyer-locale.ts";
import type { Services } from "../ports.ts";
import { matchLocale, type Locale } from "../../i18n/i18n.ts";
import { loadDeliveryContent, markOrderKeysDelivered } from "./load-delivery-content.ts";

export interface BuyerKeyLine {
  lineId: string;
  title: string | null;
  /** Decrypted, in memory only; empty while the line's pool wants a click first. */
  keys: KeyPayload[];
  /** The pool reveals on click and this view did not ask: how many keys wait behind the button. */
  hiddenKeys: number;
  /** Units waiting for stock (backordered): they follow by email when restocked. */
  pendingUnits: number;
}

export interface BuyerKeysView {
  /** pending: nothing allocated yet (the order is being processed, or held for review). */
  status: "pending" | "ready";
  orderName: string;
  shopName: string;
  locale: Locale;
  lines: BuyerKeyLine[];
}

/** Which reveal-on-click lines this view opens: none (a plain visit), some (a click), or all. */
export type Reveal = "none" | "all" | string[];

/**
 * The order's keys as a buyer-facing channel shows them now: per product, the live keys (revoked
 * and returned ones are gone), and what still waits for stock.
 *
 * Keys are marked `delivered` *before* they are read and again right after (catching a key
 * allocated in between), so everything in the answer counts as seen: a refund can no longer put
 * those keys back on sale under "return if unseen". Lines whose pool reveals on click are neither
 * marked nor shown until the buyer asks (`reveal`). Each view that shows at least one key is
 * recorded on the channel (first viewed at, view count).
 */
export async function showBuyerKeys(
  s: Pick<Services, "db" | "cipher" | "config">,
  order: Order,
  store: Pick<Store, "name" | "locale">,
  channel: "buyer_page" | "extension",
  reveal: Reveal = "none",
): Promise<BuyerKeysView> {
  const account = await getAccount(s.db, order.account_id);
  const locale = chooseBuyerLocale({ order: order.locale, store: store.locale, account: account?.default_locale }, matchLocale, s.config.defaultLocale);
  const base = { orderName: order.name ?? order.external_id, shopName: store.name, locale };

  const mapped = (await listOrderLines(s.db, order.id)).filter((l) => l.pool_id !== null);
  const poolIds = [...new Set(mapped.map((l) => l.pool_id!))];
  const onClick = new Set(
    poolIds.length === 0
      ? []
      : (await s.db.selectFrom("pools").select(["id", "reveal_on_click"]).where("account_id", "=", order.account_id).where("id", "in", poolIds).execute())
          .filter((p) => p.reveal_on_click === 1)
          .map((p) => p.id),
  );
  const shown = (l: { id: string; pool_id: string | null }) => !onClick.has(l.pool_id!) || reveal === "all" || (Array.isArray(reveal) && reveal.includes(l.id));
  const shownIds = mapped.filter(shown).map((l) => l.id);

  await markOrderKeysDelivered(s.db, order.id, { lineIds: shownIds });
  const content = await loadDeliveryContent(s, order);
  await markOrderKeysDelivered(s.db, order.id, { lineIds: shownIds });

  const anything = content.some((l) => l.keys.length > 0 || (l.unmarkedUnits ?? 0) > 0 || l.pendingUnits > 0 || l.releasedUnits > 0);
  if (!anything) return { status: "pending", ...base, lines: [] };
  const lines = content
    .filter((l) => l.keys.length > 0 || (l.unmarkedUnits ?? 0) > 0 || l.pendingUnits > 0)
    .map((l) => {
      const visible = shownIds.includes(l.orderLineId);
      return { lineId: l.orderLineId, title: l.title, keys: visible ? l.keys : [], hiddenKeys: visible ? 0 : l.keys.length + (l.unmarkedUnits ?? 0), pendingUnits: l.pendingUnits };
    });
  if (lines.some((l) => l.keys.length > 0)) await recordDeliveryView(s.db, order.account_id, order.id, channel, new Date().toISOString());
  return { status: "ready", ...base, lines };
}
