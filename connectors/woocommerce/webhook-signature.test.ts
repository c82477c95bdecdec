import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWooCommerceWebhook } from "./webhook-signature.ts";

const secret = "s3cret";
// Exactly as WooCommerce serialises: escaped slashes and \u escapes.
const raw = Buffer.from('{"id":42,"status":"processing","date_modified_gmt":"2026-11-25T03:00:00","billing":{"first_name":"\\u674e"},"url":"https:\\/\\/shop.example\\/"}');
const sign = (b: Buffer, s = secret) => crypto.createHmac("sha256", s).update(b).digest("base64");

describe("verifyWooCommerceWebhook", () => {
  it("accepts the signature over the raw bytes", () => {
    const r = verifyWooCommerceWebhook({ headers: new Headers({ "x-wc-webhook-signature": sign(raw), "x-wc-webhook-topic": "order.updated", "x-wc-webhook-delivery-id": "7" }), rawBody: raw }, secret, "https://shop.example");
    expect(r.kind).toBe("verified");
    if (r.kind === "verified") {
      expect(r.event.topic).toBe("order.updated");
      expect(r.event.deliveryId).toBe("7");
      expect(r.event.dedupeKey).toContain(":42:processing:2026-11-25T03:00:00:");
    }
  });

  it("rejects a re-serialised body, a wrong secret and a missing signature", () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(verifyWooCommerceWebhook({ headers: new Headers({ "x-wc-webhook-signature": sign(raw) }), rawBody: reserialised }, secret, "u").kind).toBe("rejected");
    expect(verifyWooCommerceWebhook({ headers: new Headers({ "x-wc-webhook-signature": sign(raw, "other") }), rawBody: raw }, secret, "u")).toEqual({ kind: "rejected", reason: "bad_signature" });
    expect(verifyWooCommerceWebhook({ headers: new Headers({ "content-type": "application/json" }), rawBody: raw }, secret, "u")).toEqual({ kind: "rejected", reason: "missing_signature" });
  });

  it("answers the unsigned form-encoded ping", () => {
    expect(verifyWooCommerceWebhook({ headers: new Headers({ "content-type": "application/x-www-form-urlencoded" }), rawBody: Buffer.from("webhook_id=15") }, secret, "u")).toEqual({ kind: "ping" });
  });

  it("rejects a signed body that is not JSON", () => {
    const b = Buffer.from("not json");
    expect(verifyWooCommerceWebhook({ headers: new Headers({ "x-wc-webhook-signature": sign(b) }), rawBody: b }, secret, "u")).toEqual({ kind: "rejected", reason: "malformed" });
  });
});
