import type { HostEvent } from "../host-connector.ts";
import { hasRefunds, mapWooCommerceOrder } from "./map-order.ts";
import type { WcOrder } from "./wire-types.ts";

/**
 * A verified WooCommerce webhook (stored payload, already redacted: no customer note, no
 * `_keyrelay*` meta) → what it means.
 *
 * - order.created / order.updated / order.restored: the payload is the order (REST v3 shape).
 *   When the order has refunds the payload lists only refund totals, not quantities, so the app
 *   must fetch it (`order: null`).
 * - order.deleted: the payload is only `{id}`. Deleting (or trashing) an order is bookkeeping, not
 *   a refund, so keyrelay does not revoke on it: the app re-reads the order (`order: null`);
 *   a deleted order reads as not found, a trashed one as unpaid, and neither revokes keys — the
 *   merchant cancels or refunds to do that.
 * - anything else is ignored.
 */
export function parseWooCommerceWebhook(topic: string, payload: unknown): HostEvent {
  const t = topic.trim().toLowerCase();
  if (!t.startsWith("order.")) return { type: "ignored", reason: `topic ${topic} is not handled` };
  const order = payload as WcOrder | null;
  const id = order && typeof order === "object" ? order.id : undefined;
  if (typeof id !== "number" && !(typeof id === "string" && /^\d+$/.test(id))) {
    return { type: "ignored", reason: `${topic} payload has no order id` };
  }
  const externalId = String(id);
  switch (t) {
    case "order.deleted":
      return { type: "order", externalId, order: null };
    case "order.created":
    case "order.updated":
    case "order.restored":
      if (hasRefunds(order!) || !Array.isArray(order!.line_items)) return { type: "order", externalId, order: null };
      return { type: "order", externalId, order: mapWooCommerceOrder(order!, []) };
    default:
      return { type: "ignored", reason: `topic ${topic} is not handled` };
  }
}
