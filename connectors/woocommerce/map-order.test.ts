import { describe, expect, it } from "vitest";
import { gmtToIso, mapWooCommerceOrder } from "./map-order.ts";

const order = {
  id: 5,
  number: "A-5",
  status: "completed",
  currency: "EUR",
  total: "30.00",
  billing: { first_name: "", last_name: "", email: "" },
  line_items: [
    { id: 21, product_id: 7, variation_id: 0, quantity: 3, price: 10 },
    { id: 22, product_id: 8, variation_id: 9, quantity: 1, price: "0.005" },
  ],
  refunds: [{ id: 90, total: "-10.00" }, { id: 91, total: "-10.00" }],
};

describe("mapWooCommerceOrder", () => {
  it("sums negative refund quantities per line through _refunded_item_id", () => {
    const refunds = [
      { id: 90, line_items: [{ id: 300, product_id: 7, quantity: -1, meta_data: [{ key: "_refunded_item_id", value: "21" }] }] },
      { id: 91, line_items: [{ id: 301, product_id: 7, quantity: -1, meta_data: [{ key: "_refunded_item_id", value: "21" }] }, { id: 302, product_id: 8, quantity: 0 }] },
    ];
    const o = mapWooCommerceOrder(order, refunds);
    expect(o.lines.map((l) => l.refundedQuantity)).toEqual([2, 0]);
    expect(o.name).toBe("A-5");
    expect(o.totalMinor).toBe(3000);
    expect(o.lines[1].unitPriceMinor).toBe(1);
    expect(o.email).toBeNull();
    expect(o.customerName).toBeNull();
  });

  it("falls back to the product and variation when the refund item has no link", () => {
    const o = mapWooCommerceOrder(order, [{ id: 90, line_items: [{ id: 300, product_id: 8, variation_id: 9, quantity: -5 }] }]);
    // Never more than the line's quantity.
    expect(o.lines.map((l) => l.refundedQuantity)).toEqual([0, 1]);
  });

  it("reads WooCommerce's zone-less GMT dates as UTC", () => {
    expect(gmtToIso("2026-11-25T03:00:00")).toBe("2026-11-25T03:00:00.000Z");
    expect(gmtToIso("2026-11-25T03:00:00+02:00")).toBe("2026-11-25T01:00:00.000Z");
    expect(gmtToIso(null)).toBeNull();
    expect(gmtToIso("nonsense")).toBeNull();
  });
});
