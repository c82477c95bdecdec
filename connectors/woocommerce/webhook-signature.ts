import crypto from "node:crypto";
import type { RawWebhookRequest, WebhookVerification } from "../host-connector.ts";
import { payloadHash } from "../payload-hash.ts";
import { redactWooCommercePayload } from "./redact-payload.ts";

/**
 * WooCommerce signs the raw body: base64(HMAC-SHA256(body, secret)) in X-WC-Webhook-Signature.
 * It escapes "/" as "\/" and non-ASCII as \uXXXX, so the bytes are checked exactly as received.
 * When a webhook is saved, WooCommerce sends an unsigned form-encoded `webhook_id=N` ping that
 * must be answered 200 or it disables the webhook.
 */
export function verifyWooCommerceWebhook(req: RawWebhookRequest, secret: string, storeUrl: string): WebhookVerification {
  const signature = req.headers.get("x-wc-webhook-signature");
  if (!signature) {
    const contentType = req.headers.get("content-type") ?? "";
    if (contentType.includes("application/x-www-form-urlencoded") && /^webhook_id=\d+$/.test(req.rawBody.toString("utf8").trim())) {
      return { kind: "ping" };
    }
    return { kind: "rejected", reason: "missing_signature" };
  }
  const expected = crypto.createHmac("sha256", secret).update(req.rawBody).digest();
  const given = Buffer.from(signature, "base64");
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    return { kind: "rejected", reason: "bad_signature" };
  }
  let payload: { id?: unknown; status?: unknown; date_modified_gmt?: unknown; date_modified?: unknown };
  try {
    payload = JSON.parse(req.rawBody.toString("utf8"));
  } catch {
    return { kind: "rejected", reason: "malformed" };
  }
  const topic = req.headers.get("x-wc-webhook-topic") ?? "unknown";
  const deliveryId = req.headers.get("x-wc-webhook-delivery-id");
  const hash = payloadHash(req.rawBody);
  // Delivery ids repeat within a second on some stores: the identity is what the event says.
  const modified = String(payload.date_modified_gmt ?? payload.date_modified ?? "");
  const dedupeKey = `woocommerce:${storeUrl}:${topic}:${String(payload.id ?? "")}:${String(payload.status ?? "")}:${modified}:${hash}`;
  return {
    kind: "verified",
    event: { platform: "woocommerce", topic, source: storeUrl, deliveryId, triggeredAt: null, dedupeKey, payloadHash: hash, payload: redactWooCommercePayload(payload) },
  };
}
