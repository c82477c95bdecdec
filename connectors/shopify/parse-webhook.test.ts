import { describe, expect, it } from "vitest";
import { parseShopifyWebhook, ShopifyPayloadError } from "./parse-webhook.ts";
import { redactShopifyPayload } from "./redact-payload.ts";

const paid = {
  id: 5_000_000_000_001,
  admin_graphql_api_id: "gid://shopify/Order/5000000000001",
  name: "#1001",
  email: "buyer@example.com",
  browser_ip: "203.0.113.7",
  billing_address: { country_code: "jp" },
  currency: "JPY",
  total_price: "3000",
  financial_status: "partially_refunded",
  cancelled_at: null,
  created_at: "2026-11-01T10:00:00+09:00",
  updated_at: "2026-11-01T11:00:00+09:00",
  customer_locale: "ja",
  confirmation_number: "XPAV284CT",
  note: "Delivered:\n--- keyrelay (ref x) ---\nSECRET-KEY\n--- /keyrelay ---",
  note_attributes: [{ name: "k", value: "SECRET-KEY" }],
  customer: { id: 77, first_name: "Hanako", last_name: "Yamada", email: "buyer@example.com" },
  line_items: [
    { id: 11, product_id: 21, variant_id: 31, title: "Game card", variant_title: "1000 pts", quantity: 3, price: "1000" },
    { id: 12, product_id: 22, variant_id: null, title: "Gift", variant_title: null, quantity: 1, current_quantity: 0, price: "0" },
  ],
  refunds: [{ id: 1, refund_line_items: [{ line_item_id: 11, quantity: 1 }] }, { id: 2, refund_line_items: [{ line_item_id: 11, quantity: 1 }] }],
};

describe("parseShopifyWebhook", () => {
  it("builds the whole order from orders/paid, on the redacted payload the app stores", () => {
    const ev = parseShopifyWebhook("orders/paid", redactShopifyPayload(paid));
    expect(ev).toEqual({
      type: "order",
      externalId: "5000000000001",
      order: {
        externalId: "5000000000001",
        name: "#1001",
        email: "buyer@example.com",
        customerName: "Hanako Yamada",
        customerId: "77",
        confirmationNumber: "XPAV284CT",
        clientIp: "203.0.113.7",
        billingCountry: "JP",
        locale: "ja",
        currency: "JPY",
        totalMinor: 3000,
        financialStatus: "partially_refunded",
        status: "paid",
        placedAt: "2026-11-01T10:00:00+09:00",
        updatedAt: "2026-11-01T11:00:00+09:00",
        riskRecommendation: null,
        lines: [
          { externalLineId: "11", productId: "21", variantId: "31", title: "Game card - 1000 pts", quantity: 3, refundedQuantity: 2, unitPriceMinor: 1000 },
          { externalLineId: "12", productId: "22", variantId: null, title: "Gift", quantity: 1, refundedQuantity: 1, unitPriceMinor: 0 },
        ],
      },
    });
    expect(JSON.stringify(ev)).not.toContain("SECRET-KEY");
  });

  it("orders/cancelled is cancelled whatever was paid; refunded is refunded", () => {
    const c = parseShopifyWebhook("orders/cancelled", { ...paid, cancelled_at: "2026-11-02T00:00:00Z", financial_status: "refunded" });
    expect(c.type === "order" && c.order?.status).toBe("cancelled");
    const r = parseShopifyWebhook("orders/paid", { ...paid, financial_status: "refunded" });
    expect(r.type === "order" && r.order?.status).toBe("refunded");
    const u = parseShopifyWebhook("orders/paid", { ...paid, financial_status: "pending" });
    expect(u.type === "order" && u.order?.status).toBe("unpaid");
  });

  it("uses the numeric id when there is no admin_graphql_api_id", () => {
    const { admin_graphql_api_id: _, ...rest } = paid;
    expect(parseShopifyWebhook("ORDERS_PAID".toLowerCase().replace("_", "/"), rest)).toMatchObject({ externalId: "5000000000001" });
  });

  it("refunds/create asks for a fetch of its order", () => {
    expect(parseShopifyWebhook("refunds/create", { id: 9, order_id: 5000000000001, refund_line_items: [] })).toEqual({ type: "order", externalId: "5000000000001", order: null });
  });

  it("orders/risk_assessment_changed names the order whose risk changed (and whether Shopify or an app assessed it)", () => {
    expect(parseShopifyWebhook("orders/risk_assessment_changed", { provider_id: null, provider_title: null, risk_level: "high", order_id: 5000000000001, created_at: "2026-12-07T10:00:00Z", facts: [] })).toEqual({
      type: "risk_changed",
      externalId: "5000000000001",
      riskLevel: "HIGH",
      byHost: true,
    });
    expect(parseShopifyWebhook("orders/risk_assessment_changed", { provider_id: 77, risk_level: "LOW", order_id: null, admin_graphql_api_order_id: "gid://shopify/Order/42" })).toMatchObject({ externalId: "42", byHost: false });
    expect(() => parseShopifyWebhook("orders/risk_assessment_changed", { risk_level: "LOW" })).toThrow(/order_id/);
  });

  it("disputes/create names the order, the dispute and whether it is a chargeback or an inquiry", () => {
    expect(parseShopifyWebhook("disputes/create", { id: 1052608616, order_id: 5000000000001, type: "chargeback", reason: "fraudulent", amount: "11.50" })).toEqual({ type: "dispute", externalId: "5000000000001", disputeId: "1052608616", kind: "chargeback", reason: "fraudulent" });
    expect(parseShopifyWebhook("disputes/create", { id: 7, order_id: 9, type: "inquiry", reason: null })).toMatchObject({ kind: "inquiry", reason: null });
    expect(() => parseShopifyWebhook("disputes/create", { id: 7, type: "chargeback" })).toThrow(/order_id/);
  });

  it("compliance and lifecycle topics", () => {
    expect(parseShopifyWebhook("app/uninstalled", { id: 1, domain: "s.myshopify.com" })).toEqual({ type: "uninstalled" });
    expect(parseShopifyWebhook("customers/data_request", { shop_id: 1, customer: { id: 77, email: "b@example.com" }, orders_requested: [5, 6] })).toEqual({
      type: "customer_data_request",
      customerEmail: "b@example.com",
      customerId: "77",
      orderIds: ["5", "6"],
    });
    expect(parseShopifyWebhook("customers/redact", { shop_id: 1, customer: { id: 77, email: null }, orders_to_redact: [] })).toEqual({ type: "customer_redact", customerEmail: null, customerId: "77", orderIds: [] });
    expect(parseShopifyWebhook("shop/redact", { shop_id: 1, shop_domain: "s.myshopify.com" })).toEqual({ type: "shop_redact" });
  });

  it("ignores topics it does not handle", () => {
    expect(parseShopifyWebhook("products/update", {})).toEqual({ type: "ignored", reason: "topic products/update is not handled" });
  });

  it("throws a permanent ShopifyPayloadError for a handled topic with a broken payload", () => {
    const bad = (topic: string, payload: unknown) => {
      try {
        parseShopifyWebhook(topic, payload);
      } catch (e) {
        expect(e).toBeInstanceOf(ShopifyPayloadError);
        expect((e as ShopifyPayloadError).permanent).toBe(true);
        return (e as Error).message;
      }
      throw new Error("expected a ShopifyPayloadError");
    };
    expect(bad("orders/paid", { id: 1 })).toMatch(/line_items/);
    expect(bad("orders/paid", { line_items: [] })).toMatch(/id is missing/);
    expect(bad("orders/paid", { id: 1, line_items: [{ id: 2, quantity: "3" }] })).toMatch(/quantity/);
    expect(bad("orders/paid", [])).toMatch(/not an object/);
    expect(bad("refunds/create", { id: 9 })).toMatch(/order_id/);
    expect(bad("customers/redact", { customer: {}, orders_to_redact: "5" })).toMatch(/orders_to_redact/);
    expect(bad("customers/data_request", { customer: {} })).toMatch(/no customer/);
  });
});
