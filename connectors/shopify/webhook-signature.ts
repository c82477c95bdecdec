import crypto from "node:crypto";
import type { RawWebhookRequest, VerifiedEvent } from "../host-connector.ts";
import { shopifyVerifiedEvent } from "./webhook-identity.ts";

export type ShopifyWebhookCheck =
  | { kind: "verified"; event: VerifiedEvent }
  /** 401: the body was not signed with the app's secret. */
  | { kind: "rejected"; reason: "bad_signature" }
  /** 400: not a webhook delivery at all (no body, no signature, or a required header missing), or a body that is not a JSON object. */
  | { kind: "rejected"; reason: "missing_signature" | "missing_headers" | "malformed"; detail: string };

/** The headers every Shopify webhook delivery carries (the library's WEBHOOK_HEADER_NAMES for webhooks). */
const REQUIRED = ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"] as const;

/**
 * Shopify signs the raw body: X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(body, app secret)).
 * The same checks, in the same order and with the same answers, as `authenticate.webhook`
 * (@shopify/shopify-api `webhooks.validate`): no body or no signature → 400, a wrong signature →
 * 401, a missing delivery header → 400. A unit test holds the two together. Done here rather than
 * through the library because `authenticate.webhook` also loads (and may refresh) the shop's
 * offline session on every delivery, which intake has no use for, and converts the request
 * twice: under load that was most of the cost of answering a webhook.
 */
export function verifyShopifyWebhook(req: RawWebhookRequest, appSecret: string): ShopifyWebhookCheck {
  if (req.rawBody.length === 0) return { kind: "rejected", reason: "missing_signature", detail: "empty body" };
  const signature = req.headers.get("x-shopify-hmac-sha256");
  if (!signature) return { kind: "rejected", reason: "missing_signature", detail: "X-Shopify-Hmac-Sha256" };
  const expected = Buffer.from(crypto.createHmac("sha256", appSecret).update(req.rawBody).digest("base64"));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { kind: "rejected", reason: "bad_signature" };
  const missing = REQUIRED.filter((h) => !req.headers.get(h));
  if (missing.length) return { kind: "rejected", reason: "missing_headers", detail: missing.join(", ") };
  let payload: unknown;
  try {
    payload = JSON.parse(req.rawBody.toString("utf8"));
  } catch {
    return { kind: "rejected", reason: "malformed", detail: "JSON" };
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return { kind: "rejected", reason: "malformed", detail: "payload" };
  const shop = req.headers.get("x-shopify-shop-domain")!;
  const topic = req.headers.get("x-shopify-topic")!;
  return { kind: "verified", event: shopifyVerifiedEvent({ shop, topic, headers: req.headers, rawBody: req.rawBody, payload }) };
}
