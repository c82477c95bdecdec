import type { HeaderReader, VerifiedEvent } from "../host-connector.ts";
import { payloadHash } from "../payload-hash.ts";
import { redactShopifyPayload } from "./redact-payload.ts";

/**
 * After Shopify's HMAC has been verified (webhook-signature.ts), name the event so a redelivery is
 * recognised: X-Shopify-Event-Id is the same for every delivery of one event (and across
 * subscriptions); X-Shopify-Webhook-Id identifies one delivery. Fall back to the delivery id,
 * then to the payload hash.
 */
export function shopifyVerifiedEvent(input: {
  shop: string;
  topic: string;
  headers: HeaderReader;
  rawBody: Buffer;
  payload: unknown;
}): VerifiedEvent {
  const eventId = input.headers.get("x-shopify-event-id");
  const webhookId = input.headers.get("x-shopify-webhook-id");
  const hash = payloadHash(input.rawBody);
  // Shopify's own header says "orders/paid"; the library's enum form is the fallback.
  const topic = input.headers.get("x-shopify-topic")?.toLowerCase() ?? normaliseTopic(input.topic);
  const shop = input.shop.toLowerCase();
  const triggered = Date.parse(input.headers.get("x-shopify-triggered-at") ?? "");
  const identity = eventId ? `event:${eventId}` : webhookId ? `webhook:${webhookId}` : `hash:${hash}`;
  return {
    platform: "shopify",
    topic,
    source: shop,
    deliveryId: webhookId ?? eventId,
    triggeredAt: Number.isNaN(triggered) ? null : new Date(triggered).toISOString(),
    dedupeKey: `shopify:${shop}:${topic}:${identity}`,
    payloadHash: hash,
    payload: redactShopifyPayload(input.payload),
  };
}

/** authenticate.webhook reports topics as ORDERS_PAID; the toml and our handlers say orders/paid. */
export function normaliseTopic(topic: string): string {
  if (topic.includes("/")) return topic.toLowerCase();
  // ORDERS_PAID → orders/paid, CUSTOMERS_DATA_REQUEST → customers/data_request: the first
  // underscore separates resource and event, as in every Shopify topic.
  return topic.toLowerCase().replace("_", "/");
}
