import { describe, expect, it } from "vitest";
import { normaliseTopic, shopifyVerifiedEvent } from "./webhook-identity.ts";

const body = Buffer.from('{"id":1}');

describe("shopifyVerifiedEvent", () => {
  it("dedupes on the event id, across deliveries", () => {
    const a = shopifyVerifiedEvent({ shop: "s.myshopify.com", topic: "ORDERS_PAID", headers: new Headers({ "x-shopify-event-id": "e1", "x-shopify-webhook-id": "w1" }), rawBody: body, payload: {} });
    const b = shopifyVerifiedEvent({ shop: "s.myshopify.com", topic: "orders/paid", headers: new Headers({ "x-shopify-event-id": "e1", "x-shopify-webhook-id": "w2" }), rawBody: body, payload: {} });
    expect(a.dedupeKey).toBe(b.dedupeKey);
    expect(a.topic).toBe("orders/paid");
    expect(a.deliveryId).toBe("w1");
  });

  it("falls back to the webhook id, then the payload hash", () => {
    const a = shopifyVerifiedEvent({ shop: "s", topic: "orders/paid", headers: new Headers({ "x-shopify-webhook-id": "w9" }), rawBody: body, payload: {} });
    expect(a.dedupeKey).toContain("webhook:w9");
    const b = shopifyVerifiedEvent({ shop: "s", topic: "orders/paid", headers: new Headers(), rawBody: body, payload: {} });
    expect(b.dedupeKey).toContain(`hash:${b.payloadHash}`);
  });

  it("normalises topics", () => {
    expect(normaliseTopic("APP_UNINSTALLED")).toBe("app/uninstalled");
    expect(normaliseTopic("CUSTOMERS_DATA_REQUEST")).toBe("customers/data_request");
    expect(normaliseTopic("refunds/create")).toBe("refunds/create");
  });
});
