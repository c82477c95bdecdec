import { localDay } from "./report-day.ts";
import type { FactLine, FactOrder } from "./report-facts.ts";

/**
 * Best sellers by host product and variant: what one order adds to a (day, store, product,
 * variant, currency) row — one order, its items, their revenue. Kept per order so the refresher
 * can take out what an order added before and put in what it adds now, as it does for the facts.
 * A product or variant the host did not name is ''.
 */
export interface ProductFact {
  orderId: string;
  accountId: string;
  day: string;
  storeId: string;
  productId: string;
  variantId: string;
  currency: string;
  title: string | null;
  orders: number;
  units: number;
  revenueMinor: number;
}

export type ProductKey = Pick<ProductFact, "accountId" | "day" | "storeId" | "productId" | "variantId" | "currency">;

export function productKey(k: ProductKey): string {
  return [k.accountId, k.day, k.storeId, k.productId, k.variantId, k.currency].join("\u0000");
}

/** The order's product rows: lines sold from a pool, per product and variant (none for an ignored or rejected order). */
export function computeOrderProducts(order: FactOrder, lines: readonly FactLine[], timeZone: string): ProductFact[] {
  if (order.status === "ignored" || order.riskDecision === "rejected") return [];
  const day = localDay(order.placedAt ?? order.createdAt, timeZone);
  const out = new Map<string, ProductFact>();
  for (const l of lines) {
    if (!l.poolId) continue;
    const row: ProductFact = {
      orderId: order.id,
      accountId: order.accountId,
      day,
      storeId: order.storeId ?? "",
      productId: l.productId ?? "",
      variantId: l.variantId ?? "",
      currency: order.currency ?? "",
      title: l.title ?? null,
      orders: 1,
      units: l.quantity,
      revenueMinor: l.quantity * (l.unitPriceMinor ?? 0),
    };
    const k = productKey(row);
    const seen = out.get(k);
    if (!seen) out.set(k, row);
    else {
      seen.units += row.units;
      seen.revenueMinor += row.revenueMinor;
      seen.title ??= row.title;
    }
  }
  return [...out.values()];
}

export interface ProductDelta extends ProductKey {
  title: string | null;
  orders: number;
  units: number;
  revenueMinor: number;
}

/** What the product rollup must change when orders' product rows go from `oldRows` to `newRows`. */
export function productDelta(oldRows: readonly ProductFact[], newRows: readonly ProductFact[]): ProductDelta[] {
  const out = new Map<string, ProductDelta>();
  const apply = (r: ProductFact, sign: number) => {
    const k = productKey(r);
    const e = out.get(k) ?? { accountId: r.accountId, day: r.day, storeId: r.storeId, productId: r.productId, variantId: r.variantId, currency: r.currency, title: null, orders: 0, units: 0, revenueMinor: 0 };
    e.orders += sign * r.orders;
    e.units += sign * r.units;
    e.revenueMinor += sign * r.revenueMinor;
    if (sign > 0 && r.title !== null) e.title = r.title;
    out.set(k, e);
  };
  for (const r of oldRows) apply(r, -1);
  for (const r of newRows) apply(r, 1);
  return [...out.values()].filter((e) => e.orders !== 0 || e.units !== 0 || e.revenueMinor !== 0);
}
