import type { VerifiedEvent } from "../host-connector.ts";
import { payloadHash } from "../payload-hash.ts";

/**
 * After Shopify's HMAC has been verified (authenticate.webhook), name the event so a redelivery is
 * recognised: X-Shopify-Event-Id is the same for every delivery of one event (and across
 * subscriptions); X-Shopify-Webhook-Id identifies one delivery. Fall back to the delivery id,
 * then to the payload hash.
 */
export function shopifyVerifiedEvent(input: {
  shop: string;
  topic: string;
  headers: Headers;
  rawBody: Buffer;
  payload: unknown;
}): VerifiedEvent {
  const eventId = input.headers.get("x-shopify-event-id");
  const webhookId = input.headers.get("x-shopify-webhook-id");
  const hash = payloadHash(input.rawBody);
  const topic = normaliseTopic(input.topic);
  const identity = eventId ? `event:${eventId}` : webhookId ? `webhook:${webhookId}` : `hash:${hash}`;
  return {
    platform: "shopify",
    topic,
    source: input.shop,
    deliveryId: webhookId ?? eventId,
    dedupeKey: `shopify:${input.shop}:${topic}:${identity}`,
    payloadHash: hash,
    payload: input.payload,
  };
}

/** authenticate.webhook reports topics as ORDERS_PAID; the toml and our handlers say orders/paid. */
export function normaliseTopic(topic: string): string {
  return topic.includes("/") ? topic.toLowerCase() : topic.toLowerCase().replace("_", "/");
}
