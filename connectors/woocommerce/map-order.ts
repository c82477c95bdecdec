import type { HostOrder, HostOrderLine } from "../host-connector.ts";
import { toMinorUnits } from "../money.ts";
import { wooCommerceOrderStatus } from "./order-status.ts";
import type { WcOrder, WcRefund } from "./wire-types.ts";

/**
 * A WooCommerce order (REST v3 or a webhook payload, which has the same shape) → HostOrder.
 * `refunds` are the order's refund objects (GET /orders/{id}/refunds): the order itself only lists
 * refund totals, so without them refunded quantities are unknown — the caller passes [] only when
 * the order has no refunds.
 */
export function mapWooCommerceOrder(order: WcOrder, refunds: WcRefund[]): HostOrder {
  const currency = order.currency ?? null;
  const refunded = refundedQuantities(order, refunds);
  const billing = order.billing ?? {};
  const name = [billing.first_name, billing.last_name].filter((s) => s && s.trim()).join(" ").trim();
  return {
    externalId: String(order.id),
    name: order.number ? String(order.number) : String(order.id),
    email: billing.email?.trim() || null,
    customerId: typeof order.customer_id === "number" && order.customer_id > 0 ? String(order.customer_id) : null,
    customerName: name || null,
    // WooCommerce keeps no buyer language on the order; the store's and account's rules apply.
    locale: null,
    currency,
    totalMinor: toMinorUnits(order.total, currency),
    financialStatus: order.status ?? null,
    status: wooCommerceOrderStatus(order.status),
    placedAt: gmtToIso(order.date_created_gmt),
    updatedAt: gmtToIso(order.date_modified_gmt),
    lines: (order.line_items ?? []).map(
      (li): HostOrderLine => ({
        externalLineId: String(li.id),
        productId: li.product_id ? String(li.product_id) : null,
        variantId: li.variation_id ? String(li.variation_id) : null,
        title: li.name ?? null,
        quantity: Number(li.quantity) || 0,
        refundedQuantity: Math.min(refunded.get(li.id) ?? 0, Number(li.quantity) || 0),
        unitPriceMinor: toMinorUnits(li.price ?? null, currency),
      }),
    ),
    clientIp: order.customer_ip_address?.trim() || null,
    billingCountry: billing.country?.trim().toUpperCase() || null,
    riskRecommendation: null,
  };
}

export function hasRefunds(order: WcOrder): boolean {
  return Array.isArray(order.refunds) && order.refunds.length > 0;
}

/**
 * Refund line items carry negative quantities and point at the order line through the
 * `_refunded_item_id` meta. Without it (very old orders), the line with the same product and
 * variation is assumed.
 */
function refundedQuantities(order: WcOrder, refunds: WcRefund[]): Map<number, number> {
  const totals = new Map<number, number>();
  const lines = order.line_items ?? [];
  for (const refund of refunds) {
    for (const item of refund.line_items ?? []) {
      const qty = Math.abs(Number(item.quantity) || 0);
      if (qty === 0) continue;
      const ref = item.meta_data?.find((m) => m.key === "_refunded_item_id")?.value;
      let lineId = ref !== undefined && ref !== null && ref !== "" ? Number(ref) : NaN;
      if (!lines.some((l) => l.id === lineId)) {
        lineId = lines.find((l) => (l.product_id ?? 0) === (item.product_id ?? 0) && (l.variation_id ?? 0) === (item.variation_id ?? 0))?.id ?? NaN;
      }
      if (!Number.isNaN(lineId)) totals.set(lineId, (totals.get(lineId) ?? 0) + qty);
    }
  }
  return totals;
}

/** WooCommerce's `_gmt` dates are UTC without a zone ("2026-11-25T03:00:00"). */
export function gmtToIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** ISO → the form WooCommerce's date filters take with dates_are_gmt=true. */
export function isoToGmt(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}
