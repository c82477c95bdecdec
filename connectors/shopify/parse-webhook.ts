import type { HostEvent, HostOrder, HostOrderLine } from "../host-connector.ts";
import { fromGid } from "./gid.ts";
import { toMinorUnits } from "../money.ts";
import { shopifyOrderStatus } from "./order-status.ts";

/**
 * A verified webhook payload of a topic keyrelay handles that lacks what the topic promises (no
 * order id, line items that are not a list…). Retrying cannot fix a payload, so the app maps this
 * to a 4xx at the edge and to a permanent (parked, visible) failure in a job.
 *
 * Consistency rule: a topic keyrelay does not handle is `{ type: "ignored" }`, never an error; a
 * handled topic with a broken payload always throws this.
 */
export class ShopifyPayloadError extends Error {
  readonly permanent = true;
  readonly topic: string;
  constructor(topic: string, message: string) {
    super(`Shopify ${topic} payload: ${message}`);
    this.name = "ShopifyPayloadError";
    this.topic = topic;
  }
}

type Obj = Record<string, unknown>;

/**
 * What a (verified, stored) Shopify webhook means, from the REST-shaped payload. Pure. Works on
 * the stored payload, from which redactShopifyPayload removed `note` and `note_attributes`:
 * nothing here reads them. Order webhooks carry every line and every refund so far, so
 * orders/paid and orders/cancelled give the whole order; refunds/create carries one refund and
 * asks the app to fetch the order. The payload has no risk assessment (riskRecommendation: null):
 * a risk rule that needs it fetches the order.
 */
export function parseShopifyWebhook(topic: string, payload: unknown): HostEvent {
  const t = topic.toLowerCase();
  switch (t) {
    case "orders/paid":
    case "orders/cancelled": {
      const order = orderFromWebhook(t, asObject(t, payload, "payload"));
      return { type: "order", externalId: order.externalId, order };
    }
    case "refunds/create": {
      const p = asObject(t, payload, "payload");
      return { type: "order", externalId: requireId(t, p.order_id, "order_id"), order: null };
    }
    case "app/uninstalled":
      return { type: "uninstalled" };
    case "customers/data_request":
    case "customers/redact": {
      const p = asObject(t, payload, "payload");
      const customer = p.customer === undefined || p.customer === null ? {} : asObject(t, p.customer, "customer");
      const list = t === "customers/redact" ? p.orders_to_redact : p.orders_requested;
      const field = t === "customers/redact" ? "orders_to_redact" : "orders_requested";
      if (list !== undefined && list !== null && !Array.isArray(list)) throw new ShopifyPayloadError(t, `${field} is not a list`);
      const orderIds = ((list as unknown[] | undefined) ?? []).map((id, i) => requireId(t, id, `${field}[${i}]`));
      const customerEmail = typeof customer.email === "string" && customer.email ? customer.email : null;
      const customerId = customer.id === undefined || customer.id === null ? null : requireId(t, customer.id, "customer.id");
      if (!customerEmail && !customerId && orderIds.length === 0) throw new ShopifyPayloadError(t, "names no customer and no orders");
      return { type: t === "customers/redact" ? "customer_redact" : "customer_data_request", customerEmail, customerId, orderIds };
    }
    case "shop/redact":
      return { type: "shop_redact" };
    case "orders/risk_assessment_changed": {
      // Names the order and the new assessment's level, not the recommendation: the app reads
      // the order's risk again. order_id may be null in Shopify's sample payload: the gid then.
      const p = asObject(t, payload, "payload");
      const externalId = typeof p.admin_graphql_api_order_id === "string" ? fromGid(p.admin_graphql_api_order_id) : requireId(t, p.order_id, "order_id");
      return { type: "risk_changed", externalId, riskLevel: str(p.risk_level)?.toUpperCase() ?? null, byHost: p.provider_id === null || p.provider_id === undefined };
    }
    case "disputes/create": {
      // Shopify Payments: `type` chargeback (the money is taken back) or inquiry (the bank asks first).
      const p = asObject(t, payload, "payload");
      const kind = p.type === "inquiry" ? "inquiry" : "chargeback";
      return { type: "dispute", externalId: requireId(t, p.order_id, "order_id"), disputeId: requireId(t, p.id, "id"), kind, reason: str(p.reason) };
    }
    default:
      return { type: "ignored", reason: `topic ${topic} is not handled` };
  }
}

function orderFromWebhook(topic: string, p: Obj): HostOrder {
  const externalId = typeof p.admin_graphql_api_id === "string" ? fromGid(p.admin_graphql_api_id) : requireId(topic, p.id, "id");
  if (!Array.isArray(p.line_items)) throw new ShopifyPayloadError(topic, "line_items is missing or not a list");
  const currency = str(p.currency);
  const refunded = refundedByLine(topic, p.refunds);
  const lines: HostOrderLine[] = p.line_items.map((raw, i) => {
    const l = asObject(topic, raw, `line_items[${i}]`);
    const id = requireId(topic, l.id, `line_items[${i}].id`);
    const quantity = l.quantity;
    if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 0) throw new ShopifyPayloadError(topic, `line_items[${i}].quantity is not a count`);
    // current_quantity (recent API versions) also counts units removed by an order edit;
    // refunds[].refund_line_items is the older, always-present record. The larger wins.
    const fromCurrent = typeof l.current_quantity === "number" ? quantity - l.current_quantity : 0;
    const refundedQuantity = Math.min(quantity, Math.max(0, refunded.get(id) ?? 0, fromCurrent));
    const title = str(l.title);
    const variantTitle = str(l.variant_title);
    return {
      externalLineId: id,
      productId: optionalId(l.product_id),
      variantId: optionalId(l.variant_id),
      title: title && variantTitle ? `${title} - ${variantTitle}` : (title ?? str(l.name)),
      quantity,
      refundedQuantity,
      unitPriceMinor: toMinorUnits(str(l.price) ?? (typeof l.price === "number" ? String(l.price) : null), currency),
    };
  });
  const customer = p.customer && typeof p.customer === "object" ? (p.customer as Obj) : {};
  const customerName = [str(customer.first_name), str(customer.last_name)].filter(Boolean).join(" ") || null;
  const financialStatus = str(p.financial_status);
  const cancelledAt = str(p.cancelled_at);
  return {
    externalId,
    name: str(p.name),
    email: str(p.email) ?? str(p.contact_email) ?? str(customer.email),
    customerName,
    customerId: optionalId(customer.id),
    confirmationNumber: str(p.confirmation_number),
    locale: str(p.customer_locale),
    currency,
    totalMinor: toMinorUnits(str(p.total_price), currency),
    financialStatus: financialStatus ? financialStatus.toLowerCase() : null,
    status: shopifyOrderStatus(financialStatus, cancelledAt),
    placedAt: str(p.created_at),
    updatedAt: str(p.updated_at),
    lines,
    clientIp: str(p.browser_ip) ?? str((p.client_details as Obj | null | undefined)?.browser_ip),
    billingCountry: str((p.billing_address as Obj | null | undefined)?.country_code)?.toUpperCase() ?? null,
    riskRecommendation: null,
  };
}

function refundedByLine(topic: string, refunds: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (refunds === undefined || refunds === null) return out;
  if (!Array.isArray(refunds)) throw new ShopifyPayloadError(topic, "refunds is not a list");
  for (const r of refunds) {
    const items = (r as Obj | null)?.refund_line_items;
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      const i = item as Obj;
      const lineId = optionalId(i.line_item_id);
      if (lineId && typeof i.quantity === "number") out.set(lineId, (out.get(lineId) ?? 0) + i.quantity);
    }
  }
  return out;
}

function asObject(topic: string, v: unknown, what: string): Obj {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new ShopifyPayloadError(topic, `${what} is not an object`);
  return v as Obj;
}

function requireId(topic: string, v: unknown, what: string): string {
  const id = optionalId(v);
  if (!id) throw new ShopifyPayloadError(topic, `${what} is missing or not an id`);
  return id;
}

function optionalId(v: unknown): string | null {
  if (typeof v === "number" && Number.isInteger(v) && v > 0) return String(v);
  if (typeof v === "string" && /^\d+$/.test(v)) return v;
  if (typeof v === "string" && v.startsWith("gid://shopify/")) return fromGid(v);
  return null;
}

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}
