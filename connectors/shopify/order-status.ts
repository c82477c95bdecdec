import type { HostOrderStatus } from "../host-connector.ts";

/**
 * One rule for GraphQL (`displayFinancialStatus: PARTIALLY_REFUNDED`) and webhook payloads
 * (`financial_status: "partially_refunded"`): a cancelled order is off whatever it was paid;
 * a partially refunded order is still paid for its remaining units (refunded quantities travel
 * per line); partially paid, authorised, pending, voided and expired have nothing to deliver.
 */
export function shopifyOrderStatus(financialStatus: string | null | undefined, cancelledAt: string | null | undefined): HostOrderStatus {
  if (cancelledAt) return "cancelled";
  const s = (financialStatus ?? "").toUpperCase();
  if (s === "REFUNDED") return "refunded";
  if (s === "PAID" || s === "PARTIALLY_REFUNDED") return "paid";
  return "unpaid";
}

/** Shopify's risk enum (ACCEPT…) or the webhook's lower-case word, as the HostOrder says it. */
export function riskRecommendation(value: string | null | undefined): "accept" | "investigate" | "cancel" | "none" | null {
  const v = (value ?? "").toLowerCase();
  return v === "accept" || v === "investigate" || v === "cancel" || v === "none" ? v : null;
}
