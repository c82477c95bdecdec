import { describe, expect, it } from "vitest";
import { parseWooCommerceWebhook } from "./parse-webhook.ts";
import { redactWooCommercePayload } from "./redact-payload.ts";

const order = {
  id: 727,
  number: "727",
  status: "processing",
  currency: "JPY",
  total: "3000",
  date_created_gmt: "2026-11-25T03:00:00",
  date_modified_gmt: "2026-11-25T03:05:00",
  customer_note: "keys please",
  billing: { first_name: "李", last_name: "Wei", email: "li@example.com" },
  meta_data: [{ id: 1, key: "_keyrelay_delivery", value: "{}" }],
  line_items: [
    { id: 11, name: "Game key", product_id: 93, variation_id: 0, quantity: 2, price: 1000, total: "2000" },
    { id: 12, name: "Gift card - EU", product_id: 94, variation_id: 96, quantity: 1, price: 1000, total: "1000" },
  ],
  refunds: [],
};

describe("parseWooCommerceWebhook", () => {
  it("builds the order from an order.updated payload, after redaction", () => {
    const ev = parseWooCommerceWebhook("order.updated", redactWooCommercePayload(order));
    expect(ev.type).toBe("order");
    if (ev.type !== "order") return;
    expect(ev.externalId).toBe("727");
    expect(ev.order).toMatchObject({
      externalId: "727",
      name: "727",
      status: "paid",
      currency: "JPY",
      totalMinor: 3000,
      email: "li@example.com",
      customerName: "李 Wei",
      placedAt: "2026-11-25T03:00:00.000Z",
      updatedAt: "2026-11-25T03:05:00.000Z",
    });
    expect(ev.order!.lines).toEqual([
      { externalLineId: "11", productId: "93", variantId: null, title: "Game key", quantity: 2, refundedQuantity: 0, unitPriceMinor: 1000 },
      { externalLineId: "12", productId: "94", variantId: "96", title: "Gift card - EU", quantity: 1, refundedQuantity: 0, unitPriceMinor: 1000 },
    ]);
  });

  it("maps statuses: paid, cancelled, refunded, unpaid", () => {
    const status = (s: string) => {
      const ev = parseWooCommerceWebhook("order.created", { ...order, status: s });
      return ev.type === "order" ? ev.order?.status : ev.type;
    };
    expect(status("processing")).toBe("paid");
    expect(status("completed")).toBe("paid");
    expect(status("cancelled")).toBe("cancelled");
    expect(status("refunded")).toBe("refunded");
    for (const s of ["pending", "on-hold", "failed", "checkout-draft", "trash", "wc-custom"]) expect(status(s)).toBe("unpaid");
  });

  it("asks the app to fetch an order with refunds (the payload has no refunded quantities)", () => {
    expect(parseWooCommerceWebhook("order.updated", { ...order, refunds: [{ id: 800, total: "-1000" }] })).toEqual({ type: "order", externalId: "727", order: null });
  });

  it("order.deleted re-reads the order instead of revoking", () => {
    expect(parseWooCommerceWebhook("order.deleted", { id: 727 })).toEqual({ type: "order", externalId: "727", order: null });
  });

  it("ignores other topics and payloads without an order id", () => {
    expect(parseWooCommerceWebhook("product.updated", { id: 1 }).type).toBe("ignored");
    expect(parseWooCommerceWebhook("order.updated", { foo: 1 }).type).toBe("ignored");
    expect(parseWooCommerceWebhook("order.updated", null).type).toBe("ignored");
  });
});
