import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { reconcileStore } from "../../app/.server/use-cases/reconcile-store.ts";
import { dialects } from "../support/dialects.ts";
import { startFakeShopify, type FakeShopify } from "../support/fake-shopify.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { SHOPIFY_ENV, shopifyWebhook, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

const actor = { type: "cli" as const };
const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`Shopify fulfilment end to end on ${dialect}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let shopify: FakeShopify;
    let smtp: TestSmtpServer;
    let storeId: string;
    let productId: string;
    let variantId: string;
    const shop = `fs-${dialect}.myshopify.com`;
    const prefix = `SH${dialect.toUpperCase()}`;

    beforeAll(async () => {
      shopify = await startFakeShopify({ shop, accessToken: "shpat_test_token" });
      smtp = await startSmtpServer();
      s = await makeServices({ dialect, startWorkers: true, env: { ...SHOPIFY_ENV, SHOPIFY_ADMIN_API_ORIGIN: shopify.origin, SMTP_URL: smtp.url, HOST_REQUEST_TIMEOUT_MS: "3000" } });
      http = await startHttp(s);
      await installShopifyShop(s, { shop });
      await storeOfflineSession(s, shop);
      const store = await s.db.selectFrom("stores").selectAll().where("domain", "=", shop).executeTakeFirstOrThrow();
      storeId = store.id;
      const poolId = (await createPool(s, store.account_id, { name: "Gift card", refundPolicy: "revoke" }, actor)).id;
      await stockPool(s, store.account_id, poolId, codes(prefix, 3));
      const product = shopify.createProduct({ title: "Gift card", variants: [{ title: "$25", available: 0 }] });
      productId = product.productId;
      variantId = product.variantIds[0];
      await mapProduct(s, store.account_id, { storeId, productId, variantId, poolId, unitsPerItem: 1 }, actor);
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await shopify?.close();
      await smtp?.stop();
    });

    it("orders/paid, delivered 100 times at once: one set of keys, one note block, one metafield, one email", async () => {
      const note = "Gift wrap please";
      const order = shopify.createOrder({ email: "buyer@example.com", note, lineItems: [{ productId, variantId, quantity: 2, title: "Gift card", price: "25.00" }] });
      const eventId = `evt-${order.orderId}`;
      const answers = await Promise.all(Array.from({ length: 100 }, () => shopify.sendWebhook(http.url, "orders/paid", order.orderId, { eventId })));
      expect(answers.every((r) => r.status === 200)).toBe(true);
      const keys = await waitFor(async () => shopify.deliveredKeys(order.orderId) ?? undefined, 15_000, "metafield");
      expect(keys.lines[0].codes).toHaveLength(2);
      await waitFor(async () => smtp.received.length >= 1 || undefined, 15_000, "email");
      await new Promise((r) => setTimeout(r, 500));
      const written = shopify.note(order.orderId)!;
      expect(written.startsWith(note)).toBe(true);
      expect(written.match(/--- keyrelay/g)).toHaveLength(1);
      for (const code of keys.lines[0].codes) expect(written).toContain(code);
      expect(shopify.requestCount("orderUpdate")).toBe(1);
      expect(shopify.requestCount("metafieldsSet")).toBe(0);
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0].parsed.text).toContain(keys.lines[0].codes[0]);
      expect(await s.db.selectFrom("webhook_events").select("id").where("dedupe_key", "like", `%${eventId}%`).execute()).toHaveLength(1);
    });

    it("out of stock: delivers what exists, backorders the rest, and says so", async () => {
      const order = shopify.createOrder({ email: "rush@example.com", lineItems: [{ productId, variantId, quantity: 2, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", order.orderId);
      const keys = await waitFor(async () => shopify.deliveredKeys(order.orderId) ?? undefined, 15_000, "metafield");
      expect(keys.lines[0]).toMatchObject({ pendingUnits: 1 });
      expect(keys.lines[0].codes).toHaveLength(1);
      expect(shopify.note(order.orderId)).toContain("1 more key for this item will be delivered as soon as it is restocked.");
    });

    it("refunds/create fetches the order and revokes the refunded unit", async () => {
      const first = await s.db.selectFrom("orders").select(["id", "external_id"]).where("email", "=", "buyer@example.com").executeTakeFirstOrThrow();
      const fake = shopify.getOrder(first.external_id);
      shopify.refund(first.external_id, [{ lineItemId: fake.lineItems[0].id, quantity: 1 }]);
      const r = await shopify.sendWebhook(http.url, "refunds/create", { id: 1, order_id: Number(first.external_id), refund_line_items: [] });
      expect(r.status).toBe(200);
      // The connector writes the note, then the metafield: wait for both.
      await waitFor(async () => ((shopify.note(first.external_id) ?? "").includes("1 key was withdrawn") && shopify.deliveredKeys(first.external_id)?.lines[0].codes.length === 1) || undefined, 15_000, "note and metafield rewritten");
      const units = await s.db
        .selectFrom("allocations as a")
        .innerJoin("order_lines as l", "l.id", "a.order_line_id")
        .select("a.status")
        .where("l.order_id", "=", first.id)
        .orderBy("a.unit_index")
        .execute();
      expect(units.map((u) => u.status)).toEqual(["allocated", "revoked"]);
      expect(shopify.deliveredKeys(first.external_id)!.lines[0].codes).toHaveLength(1);
    });

    it("rejects forged, malformed and unhandled webhooks with nothing recorded or allocated", async () => {
      const before = (await s.db.selectFrom("webhook_events").select("id").execute()).length;
      const forged = await shopifyWebhook(http.url, { shop, topic: "orders/paid", body: JSON.stringify(shopify.orderWebhookPayload(shopify.createOrder({ email: "x@example.com", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "1.00" }] }).orderId)), secret: "wrong" });
      expect(forged.status).toBe(401);
      const missingLines = await shopifyWebhook(http.url, { shop, topic: "orders/paid", body: JSON.stringify({ id: 42 }) });
      expect(missingLines.status).toBe(400);
      expect((await missingLines.json()).error.message).toMatch(/line_items/);
      const unknownTopic = await shopifyWebhook(http.url, { shop, topic: "products/update", body: JSON.stringify({ id: 1 }) });
      expect(unknownTopic.status).toBe(400);
      const notJson = await shopifyWebhook(http.url, { shop, topic: "orders/paid", body: "{not json" });
      expect(notJson.status).toBe(400);
      const huge = await shopifyWebhook(http.url, { shop, topic: "orders/paid", body: JSON.stringify({ pad: "x".repeat(10 * 1024 * 1024) }) });
      expect(huge.status).toBe(413);
      expect((await s.db.selectFrom("webhook_events").select("id").execute()).length).toBe(before);
    });

    it("reconciliation picks up a paid order whose webhook was missed", async () => {
      const missed = shopify.createOrder({ email: "missed@example.com", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      const r = await reconcileStore(s, { storeId });
      expect(r.changed).toBeGreaterThanOrEqual(1);
      const keys = await waitFor(async () => shopify.deliveredKeys(missed.orderId) ?? undefined, 15_000, "metafield");
      // Out of stock by now: a backorder, recorded and told, never an apology instead of a key.
      expect(keys.lines[0].codes.length + keys.lines[0].pendingUnits).toBe(1);
    });

    it("customers/redact anonymises the buyer's orders and keeps the key records; data_request records what is held", async () => {
      const req = await shopify.sendWebhook(http.url, "customers/data_request", { shop_domain: shop, customer: { id: 7, email: "buyer@example.com" }, orders_requested: [] });
      expect(req.status).toBe(200);
      const dataRequest = await waitFor(() => s.db.selectFrom("compliance_requests").selectAll().where("kind", "=", "customers/data_request").executeTakeFirst(), 10_000, "data request");
      expect(JSON.parse(dataRequest.summary).orders).toHaveLength(1);
      // The thank-you page's proof of the buyer is theirs too: stored from the paid webhook, erased with them.
      const buyers = await s.db.selectFrom("orders").select(["id", "confirmation_number"]).where("email", "=", "buyer@example.com").execute();
      expect(buyers.length).toBeGreaterThan(0);
      for (const o of buyers) expect(o.confirmation_number).toMatch(/^[A-Z0-9]{9}$/);
      const red = await shopify.sendWebhook(http.url, "customers/redact", { shop_domain: shop, customer: { id: 7, email: "buyer@example.com" }, orders_to_redact: [] });
      expect(red.status).toBe(200);
      await waitFor(() => s.db.selectFrom("compliance_requests").select("id").where("kind", "=", "customers/redact").executeTakeFirst(), 10_000, "redact");
      expect(await s.db.selectFrom("orders").select("id").where("email", "=", "buyer@example.com").execute()).toEqual([]);
      expect(await s.db.selectFrom("orders").select("confirmation_number").where("id", "in", buyers.map((o) => o.id)).execute()).toEqual(buyers.map(() => ({ confirmation_number: null })));
      const events = await s.db.selectFrom("webhook_events").select("payload").where("store_id", "=", storeId).execute();
      expect(events.some((e) => e.payload.includes("buyer@example.com"))).toBe(false);
      expect((await s.db.selectFrom("allocations").select("id").execute()).length).toBeGreaterThan(0);
    });
  });
}
