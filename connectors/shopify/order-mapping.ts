import type { HostOrder, HostOrderLine, HostRiskReading } from "../host-connector.ts";
import { fromGid, fromGidOrNull } from "./gid.ts";
import { toMinorUnits } from "../money.ts";
import { riskRecommendation, shopifyOrderStatus } from "./order-status.ts";

/** The shapes the KeyrelayOrder / KeyrelayLineItem fragments return. */
export interface GqlMoney {
  shopMoney: { amount: string; currencyCode: string };
}

export interface GqlLineItem {
  id: string;
  title: string;
  variantTitle: string | null;
  quantity: number;
  currentQuantity: number;
  product: { id: string } | null;
  variant: { id: string } | null;
  originalUnitPriceSet: GqlMoney;
}

export interface GqlPage<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface GqlOrder {
  id: string;
  name: string;
  email: string | null;
  customerLocale: string | null;
  currencyCode: string;
  displayFinancialStatus: string | null;
  cancelledAt: string | null;
  createdAt: string;
  updatedAt: string;
  customer: { id: string; displayName: string } | null;
  confirmationNumber: string | null;
  totalPriceSet: GqlMoney;
  risk: GqlRisk | null;
  lineItems: GqlPage<GqlLineItem>;
}

export interface GqlRisk {
  recommendation: string;
  assessments?: { riskLevel: string; provider: { id: string } | null; facts?: { description: string; sentiment: string }[] }[];
}

/**
 * Shopify's own assessment (no provider) is PENDING while its analysis runs; the recommendation
 * alone cannot say so. No assessment at all and no recommendation: nothing to read yet, which is
 * not low risk either, so it is pending too.
 */
export function riskIsPending(risk: GqlRisk | null): boolean {
  if (!risk) return true;
  const own = (risk.assessments ?? []).filter((a) => a.provider === null);
  if (own.some((a) => a.riskLevel === "PENDING")) return true;
  return (risk.assessments ?? []).length === 0 && riskRecommendation(risk.recommendation) === "none";
}

export function riskFromGraphql(risk: GqlRisk | null): HostRiskReading {
  const sentiment = (v: string) => (v === "POSITIVE" ? "positive" : v === "NEGATIVE" ? "negative" : "neutral") as "positive" | "neutral" | "negative";
  return {
    state: riskIsPending(risk) ? "pending" : "known",
    recommendation: riskRecommendation(risk?.recommendation),
    assessments: (risk?.assessments ?? []).map((a) => ({ provider: a.provider === null ? "host" : "app", riskLevel: a.riskLevel, facts: (a.facts ?? []).map((f) => ({ description: f.description, sentiment: sentiment(f.sentiment) })) })),
  };
}

export function lineFromGraphql(l: GqlLineItem): HostOrderLine {
  return {
    externalLineId: fromGid(l.id),
    productId: fromGidOrNull(l.product?.id),
    variantId: fromGidOrNull(l.variant?.id),
    title: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
    quantity: l.quantity,
    // Units refunded or removed by an order edit; never negative, never more than ordered.
    refundedQuantity: Math.min(l.quantity, Math.max(0, l.quantity - l.currentQuantity)),
    unitPriceMinor: toMinorUnits(l.originalUnitPriceSet.shopMoney.amount, l.originalUnitPriceSet.shopMoney.currencyCode),
  };
}

/** `lines` are all of the order's lines (the caller has followed lineItems' pages). */
export function orderFromGraphql(o: GqlOrder, lines: GqlLineItem[]): HostOrder {
  return {
    externalId: fromGid(o.id),
    name: o.name,
    email: o.email || null,
    customerName: o.customer?.displayName || null,
    customerId: o.customer?.id ? fromGid(o.customer.id) : null,
    confirmationNumber: o.confirmationNumber || null,
    locale: o.customerLocale || null,
    currency: o.currencyCode,
    totalMinor: toMinorUnits(o.totalPriceSet.shopMoney.amount, o.totalPriceSet.shopMoney.currencyCode),
    financialStatus: o.displayFinancialStatus ? o.displayFinancialStatus.toLowerCase() : null,
    status: shopifyOrderStatus(o.displayFinancialStatus, o.cancelledAt),
    placedAt: o.createdAt,
    updatedAt: o.updatedAt,
    lines: lines.map(lineFromGraphql),
    riskRecommendation: riskIsPending(o.risk) ? "pending" : riskRecommendation(o.risk?.recommendation),
  };
}
