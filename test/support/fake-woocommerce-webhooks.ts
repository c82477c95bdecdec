import crypto from "node:crypto";

/**
 * How WooCommerce sends a webhook (WC_Webhook::deliver): the body is `wp_json_encode($payload)` —
 * PHP's json_encode, which escapes "/" as "\/" and every non-ASCII character as \uXXXX — signed
 * with base64(HMAC-SHA256(body, secret)), plus the X-WC-Webhook-* headers. The delivery id is
 * wp_hash(webhook id . time()), so two deliveries in the same second share it.
 */
export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, "\\/")
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export interface SignedDelivery {
  body: Buffer;
  headers: Record<string, string>;
}

export function signWooCommerceDelivery(input: {
  secret: string;
  topic: string;
  payload: unknown;
  webhookId: number | string;
  /** home_url('/'): the store's address with a trailing slash. */
  source: string;
  /** Override the delivery id (default: md5 of id and the current second). */
  deliveryId?: string;
  nowSeconds?: number;
}): SignedDelivery {
  const body = Buffer.from(phpJsonEncode(input.payload));
  const [resource, event] = input.topic.split(".");
  const second = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      "user-agent": "WooCommerce/10.3.0 Hookshot (WordPress/6.8.3)",
      "content-type": "application/json",
      "x-wc-webhook-source": input.source.endsWith("/") ? input.source : `${input.source}/`,
      "x-wc-webhook-topic": input.topic,
      "x-wc-webhook-resource": resource ?? "",
      "x-wc-webhook-event": event ?? "",
      "x-wc-webhook-signature": crypto.createHmac("sha256", input.secret).update(body).digest("base64"),
      "x-wc-webhook-id": String(input.webhookId),
      "x-wc-webhook-delivery-id": input.deliveryId ?? crypto.createHash("md5").update(`${input.webhookId}${second}`).digest("hex"),
    },
  };
}

/** The unsigned form-encoded ping WooCommerce sends when a webhook is saved. */
export function wooCommercePing(webhookId: number | string): SignedDelivery {
  return {
    body: Buffer.from(`webhook_id=${webhookId}`),
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "WooCommerce/10.3.0 Hookshot (WordPress/6.8.3)" },
  };
}
