import crypto from "node:crypto";
import { API_SECRET_KEY } from "@shopify/shopify-api/test-helpers";
import { orderTotal, type FakeOrder } from "./fake-shopify-store.ts";

/**
 * Webhook deliveries as Shopify sends them: the REST-shaped payload (numeric ids, lower-case
 * financial_status, line_items, refunds[].refund_line_items, note and note_attributes included —
 * the app must redact them before storing) and the base64 HMAC-SHA256 of the exact body bytes
 * under the app's client secret.
 */
export function orderWebhookPayload(o: FakeOrder): Record<string, unknown> {
  const num = (id: string) => Number(id);
  return {
    id: num(o.id),
    admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
    name: o.name,
    order_number: Number(o.name.replace(/\D/g, "")) || null,
    email: o.email,
    contact_email: o.email,
    currency: o.currency,
    presentment_currency: o.currency,
    total_price: orderTotal(o),
    financial_status: o.financialStatus.toLowerCase(),
    cancelled_at: o.cancelledAt,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    customer_locale: o.locale,
    confirmation_number: o.confirmationNumber,
    note: o.note,
    note_attributes: [],
    customer: o.customerId ? { id: num(o.customerId), email: o.email, first_name: o.customerFirstName, last_name: o.customerLastName } : null,
    line_items: o.lineItems.map((l) => ({
      id: num(l.id),
      admin_graphql_api_id: `gid://shopify/LineItem/${l.id}`,
      product_id: l.productId ? num(l.productId) : null,
      variant_id: l.variantId ? num(l.variantId) : null,
      title: l.title,
      variant_title: l.variantTitle,
      name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
      sku: l.sku,
      quantity: l.quantity,
      current_quantity: l.currentQuantity,
      price: l.price,
    })),
    refunds: o.refunds.map((r) => ({
      id: num(r.id),
      order_id: num(o.id),
      created_at: r.createdAt,
      refund_line_items: r.lines.map((x) => ({ line_item_id: num(x.lineItemId), quantity: x.quantity })),
    })),
  };
}

export function refundWebhookPayload(o: FakeOrder, refundIndex = o.refunds.length - 1): Record<string, unknown> {
  const r = o.refunds[refundIndex];
  if (!r) throw new Error(`order ${o.id} has no refund ${refundIndex}`);
  return { id: Number(r.id), order_id: Number(o.id), created_at: r.createdAt, refund_line_items: r.lines.map((x) => ({ line_item_id: Number(x.lineItemId), quantity: x.quantity })) };
}

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

/** Headers and body of one delivery; `secret` defaults to the test app secret (SHOPIFY_ENV). */
export function signShopifyWebhook(opts: { shop: string; topic: string; payload: unknown; secret?: string; eventId?: string; webhookId?: string; apiVersion?: string }): SignedWebhook {
  const body = JSON.stringify(opts.payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": crypto.createHmac("sha256", opts.secret ?? API_SECRET_KEY).update(body).digest("base64"),
      "x-shopify-topic": opts.topic,
      "x-shopify-shop-domain": opts.shop,
      "x-shopify-api-version": opts.apiVersion ?? "2026-10",
      "x-shopify-webhook-id": opts.webhookId ?? crypto.randomUUID(),
      "x-shopify-event-id": opts.eventId ?? crypto.randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    },
  };
}

/** POSTs a signed delivery to the app's Shopify webhook route (`${appUrl}/webhooks/shopify`). */
export function deliverShopifyWebhook(appUrl: string, webhook: SignedWebhook, path = "/webhooks/shopify"): Promise<Response> {
  return fetch(`${appUrl}${path}`, { method: "POST", headers: webhook.headers, body: webhook.body });
}
