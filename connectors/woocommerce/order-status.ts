import type { HostOrderStatus } from "../host-connector.ts";

/**
 * WooCommerce order statuses → what keyrelay does with the order. Paid is `processing` (paid,
 * not shipped — digital goods wait here) or `completed`. `failed`, `pending`, `on-hold`,
 * `checkout-draft`, `trash` and custom statuses are unpaid: nothing to deliver, nothing revoked.
 */
export function wooCommerceOrderStatus(status: unknown): HostOrderStatus {
  switch (status) {
    case "processing":
    case "completed":
      return "paid";
    case "cancelled":
      return "cancelled";
    case "refunded":
      return "refunded";
    default:
      return "unpaid";
  }
}
