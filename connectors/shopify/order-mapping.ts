import type { HostOrder, HostOrderLine } from "../host-connector.ts";
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
  risk: { recommendation: string } | null;
  lineItems: GqlPage<GqlLineItem>;
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
    riskRecommendation: riskRecommendation(o.risk?.recommendation),
  };
}
