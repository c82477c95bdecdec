import { describe, expect, it } from "vitest";
import { redactShopifyPayload } from "./shopify/redact-payload.ts";
import { redactWooCommercePayload } from "./woocommerce/redact-payload.ts";

describe("stored webhook payloads never keep delivered keys", () => {
  it("drops Shopify's note and note attributes, keeps the rest", () => {
    const p = { id: 1, note: "keyrelay: ABCD-1234", note_attributes: [{ name: "keys", value: "X" }], line_items: [{ id: 9 }] };
    expect(redactShopifyPayload(p)).toEqual({ id: 1, line_items: [{ id: 9 }] });
  });

  it("drops WooCommerce's customer note and keyrelay meta, keeps other meta", () => {
    const p = {
      id: 2,
      customer_note: "Your keys: ABCD-1234",
      meta_data: [{ key: "_keyrelay_keys", value: "ABCD-1234" }, { key: "_billing_vat", value: "x" }],
      line_items: [{ id: 5, meta_data: [{ key: "_keyrelay_line", value: "K" }, { key: "Size", value: "L" }] }],
    };
    expect(redactWooCommercePayload(p)).toEqual({ id: 2, meta_data: [{ key: "_billing_vat", value: "x" }], line_items: [{ id: 5, meta_data: [{ key: "Size", value: "L" }] }] });
  });
});
