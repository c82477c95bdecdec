import crypto from "node:crypto";

/** The product every bench order buys; setup-shop.ts maps it (all variants) to the bench pool. */
export const BENCH_PRODUCT_ID = 7_000_001;
export const BENCH_VARIANT_ID = 7_100_001;

/** External ids of bench orders: distinct per order, never colliding with a line id. */
export const orderExternalId = (seq: number) => 9_000_000_000 + seq;

/** What Shopify sends for an orders/paid delivery: the REST-shaped order, 1 line × 1 unit. */
export function paidOrderPayload(seq: number, now: string): Record<string, unknown> {
  const id = orderExternalId(seq);
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#B${seq}`,
    order_number: seq,
    email: `buyer${seq}@example.com`,
    contact_email: `buyer${seq}@example.com`,
    currency: "USD",
    presentment_currency: "USD",
    total_price: "9.99",
    financial_status: "paid",
    cancelled_at: null,
    created_at: now,
    updated_at: now,
    customer_locale: "en",
    // One address per order (198.18.0.0/15 is for benchmarks): velocity and lists are looked up
    // for every order, none of the bench's rules fires, every order is delivered.
    browser_ip: `198.18.${(seq >> 8) & 255}.${seq & 255}`,
    billing_address: { country_code: "US" },
    note: null,
    note_attributes: [],
    customer: { id: 5_000_000 + seq, email: `buyer${seq}@example.com`, first_name: "Bench", last_name: "Buyer" },
    line_items: [
      {
        id: 8_000_000_000 + seq,
        admin_graphql_api_id: `gid://shopify/LineItem/${8_000_000_000 + seq}`,
        product_id: BENCH_PRODUCT_ID,
        variant_id: BENCH_VARIANT_ID,
        title: "Game card",
        variant_title: null,
        name: "Game card",
        sku: null,
        quantity: 1,
        current_quantity: 1,
        price: "9.99",
      },
    ],
    refunds: [],
  };
}

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** Body and headers of one signed delivery; the event id names the order so the bench can join on it. */
export function signedPaidOrder(seq: number, shop: string, secret: string): SignedDelivery {
  const now = new Date().toISOString();
  const body = JSON.stringify(paidOrderPayload(seq, now));
  return {
    body,
    headers: {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      "x-shopify-hmac-sha256": crypto.createHmac("sha256", secret).update(body).digest("base64"),
      "x-shopify-topic": "orders/paid",
      "x-shopify-shop-domain": shop,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": crypto.randomUUID(),
      "x-shopify-event-id": `bench-${seq}`,
      "x-shopify-triggered-at": now,
    },
  };
}
