import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { WEBHOOK_BODY_LIMIT } from "../../app/.server/http/read-body.ts";
import { startMetricsServer } from "../../app/.server/runtime/metrics-endpoint.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { dialects } from "../support/dialects.ts";
import { freePort } from "../support/free-port.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { parsePrometheusText, type Exposition } from "../support/prometheus-text.ts";
import { redisAvailable } from "../support/services-available.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { startFakeShopify, type FakeShopify } from "../support/fake-shopify.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";

const actor = { type: "cli" as const };
const TOKEN = "metrics-token-0123456789abcdef";

/** Every keyrelay metric and its label names: a new one, or a new label, is a decision (README "Metrics"). */
const GOLDEN: Record<string, { type: string; labels: string[] }> = {
  keyrelay_webhooks_received_total: { type: "counter", labels: ["platform", "outcome"] },
  keyrelay_webhooks_rejected_total: { type: "counter", labels: ["platform", "reason"] },
  keyrelay_allocation_latency_seconds: { type: "histogram", labels: ["platform"] },
  keyrelay_orders_delivered_total: { type: "counter", labels: ["platform"] },
  keyrelay_job_failures_total: { type: "counter", labels: ["queue", "outcome"] },
  keyrelay_job_rows_written_total: { type: "counter", labels: ["queue"] },
  keyrelay_db_statements_total: { type: "counter", labels: ["thread"] },
  keyrelay_db_transactions_total: { type: "counter", labels: ["thread"] },
  keyrelay_db_round_trips_total: { type: "counter", labels: ["thread"] },
  keyrelay_host_api_requests_total: { type: "counter", labels: ["platform"] },
  keyrelay_host_api_errors_total: { type: "counter", labels: ["platform", "kind"] },
  keyrelay_host_api_throttled_total: { type: "counter", labels: ["platform"] },
  keyrelay_emails_sent_total: { type: "counter", labels: [] },
  keyrelay_emails_failed_total: { type: "counter", labels: [] },
  keyrelay_backorders_open: { type: "gauge", labels: [] },
  keyrelay_backorder_oldest_age_seconds: { type: "gauge", labels: [] },
  keyrelay_orders_held_for_review: { type: "gauge", labels: [] },
  keyrelay_jobs: { type: "gauge", labels: ["queue", "state"] },
  keyrelay_job_oldest_due_age_seconds: { type: "gauge", labels: ["queue"] },
  keyrelay_bullmq_jobs: { type: "gauge", labels: ["queue", "state"] },
  keyrelay_bullmq_oldest_waiting_age_seconds: { type: "gauge", labels: ["queue"] },
  keyrelay_pool_available_keys: { type: "gauge", labels: ["pool"] },
};

for (const { dialect, available } of dialects) {
  const bullmq = dialect === "postgres" && redisAvailable;
  describe.skipIf(!available)(`/metrics over HTTP on ${dialect}${bullmq ? " + BullMQ" : ""}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let wc: FakeWooCommerce;
    let storeId: string;
    let poolId: string;
    let hookId: number;
    let productId: number;

    beforeAll(async () => {
      wc = await startFakeWooCommerce();
      const port = await freePort();
      s = await makeServices({
        dialect,
        redis: bullmq,
        startWorkers: true,
        env: { APP_URL: `http://127.0.0.1:${port}`, HOST_REQUEST_TIMEOUT_MS: "3000", STOCK_SYNC_WINDOW_MS: "20", METRICS_TOKEN: TOKEN },
      });
      http = await startHttp(s, port);
      const accountId = (await createAccount(s.db, { name: "Woo merchant", alertEmail: "alerts@example.com" })).id;
      poolId = (await createPool(s, accountId, { name: "Game card", refundPolicy: "revoke" }, actor)).id;
      await stockPool(s, accountId, poolId, Array.from({ length: 10 }, (_, i) => `MX${dialect}-${i}`));
      productId = wc.createProduct({ name: "Game card $10", price: "10.00" }).id;
      storeId = (await connectWooCommerceStore(s, accountId, { ...wc.connection }, actor)).id;
      hookId = wc.getWebhooks()[0].id;
      await mapProduct(s, accountId, { storeId, productId: String(productId), poolId, unitsPerItem: 1 }, actor);
      // keyrelay's own email on, so the order path sends one too.
      await s.db.updateTable("stores").set({ settings: JSON.stringify({ sendEmail: true }) }).where("id", "=", storeId).execute();
      await settled();
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await wc?.close();
    });

    const scrape = async (): Promise<Exposition> => {
      const r = await fetch(`${http.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      return parsePrometheusText(await r.text());
    };
    /** No job waiting or running: every follow-up (write-back, email, stock sync) has had its say. */
    const settled = () =>
      waitFor(async () => {
        const busy = await s.db.selectFrom("jobs").select("id").where("status", "in", ["pending", "running"]).execute();
        return busy.length === 0;
      }, 20_000, "jobs to settle");

    it("asks for the bearer token: 401 without it or with a wrong one, 200 with it", async () => {
      const none = await fetch(`${http.url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await fetch(`${http.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      expect((await fetch(`${http.url}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` } })).status).toBe(401);
      const ok = await fetch(`${http.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
    });

    it("names every keyrelay metric and label as the golden list does, with Node's process metrics beside them", async () => {
      const e = await scrape();
      const ours = Object.fromEntries([...e.families.values()].filter((f) => f.name.startsWith("keyrelay_")).map((f) => [f.name, f]));
      const expected = Object.keys(GOLDEN).filter((n) => bullmq || !n.startsWith("keyrelay_bullmq_"));
      expect(Object.keys(ours).sort()).toEqual(expect.arrayContaining(expected.sort()));
      for (const name of Object.keys(ours)) {
        expect(GOLDEN[name], `${name} is not in the golden list`).toBeDefined();
        expect(ours[name].type).toBe(GOLDEN[name].type);
        for (const sample of ours[name].samples) {
          expect(Object.keys(sample.labels).filter((l) => l !== "le").sort()).toEqual([...GOLDEN[name].labels].sort());
        }
      }
      for (const n of ["process_cpu_user_seconds_total", "process_resident_memory_bytes", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_seconds"]) expect(e.families.has(n), n).toBe(true);
      expect(e.value("keyrelay_pool_available_keys", { pool: poolId })).toBe(10);
      if (bullmq) expect(e.value("keyrelay_bullmq_jobs", { queue: "process-event", state: "waiting" })).toBe(0);
    });

    it("a webhook-driven order moves each counter by exactly what happened", async () => {
      const before = await scrape();
      const requestsBefore = wc.requests.length;
      const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 2 }], status: "processing", billing: { email: "metrics-buyer@example.com" } });
      // Three deliveries of one event: one recorded, two duplicates.
      for (let i = 0; i < 3; i++) expect((await wc.deliver(hookId, "order.updated", order.id)).status).toBe(200);
      // And two refused before being recorded.
      const forged = wc.signDelivery(hookId, "order.updated", order.id);
      forged.headers["x-wc-webhook-signature"] = "AAAA";
      expect((await fetch(`${http.url}/webhooks/woocommerce/${storeId}`, { method: "POST", headers: forged.headers, body: new Uint8Array(forged.body) })).status).toBe(401);
      expect((await fetch(`${http.url}/webhooks/woocommerce/${crypto.randomUUID()}`, { method: "POST", headers: forged.headers, body: new Uint8Array(forged.body) })).status).toBe(404);
      await waitFor(async () => wc.getNotes(order.id).some((n) => n.customer_note), 15_000, "the customer note");
      await settled();
      const after = await scrape();
      const d = (name: string, labels: Record<string, string> = {}) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);

      expect(d("keyrelay_webhooks_received_total", { platform: "woocommerce", outcome: "recorded" })).toBe(1);
      expect(d("keyrelay_webhooks_received_total", { platform: "woocommerce", outcome: "duplicate" })).toBe(2);
      expect(d("keyrelay_webhooks_rejected_total", { platform: "woocommerce", reason: "bad_signature" })).toBe(1);
      expect(d("keyrelay_webhooks_rejected_total", { platform: "woocommerce", reason: "store_not_found" })).toBe(1);
      expect(d("keyrelay_allocation_latency_seconds_count", { platform: "woocommerce" })).toBe(1);
      expect(d("keyrelay_allocation_latency_seconds_sum", { platform: "woocommerce" })).toBeGreaterThan(0);
      expect(d("keyrelay_allocation_latency_seconds_bucket", { platform: "woocommerce", le: "+Inf" })).toBe(1);
      expect(d("keyrelay_orders_delivered_total", { platform: "woocommerce" })).toBe(1);
      expect(d("keyrelay_emails_sent_total")).toBe(1);
      expect(d("keyrelay_emails_failed_total")).toBe(0);
      // Every request the fake host received went through the one counted fetch.
      expect(wc.requests.length - requestsBefore).toBeGreaterThan(0);
      expect(d("keyrelay_host_api_requests_total", { platform: "woocommerce" })).toBe(wc.requests.length - requestsBefore);
      expect(d("keyrelay_host_api_throttled_total", { platform: "woocommerce" })).toBe(0);
      expect(after.value("keyrelay_pool_available_keys", { pool: poolId })).toBe(8);
      expect(after.value("keyrelay_backorders_open")).toBe(0);
      expect(after.value("keyrelay_orders_held_for_review")).toBe(0);
      expect(after.value("keyrelay_jobs", { queue: "deliver-order", state: "pending" })).toBe(0);

      // No label carries the buyer's email, the order's ids or the shop.
      const row = await s.db.selectFrom("orders").select(["id", "external_id"]).where("external_id", "=", String(order.id)).executeTakeFirstOrThrow();
      const values = after.labelValues();
      for (const v of values) {
        expect(v).not.toContain("@");
        expect(v).not.toBe(row.id);
        expect(v).not.toBe(row.external_id);
        expect(v).not.toContain("127.0.0.1");
      }
    });

    it("an oversized delivery is counted as rejected before anything is read or recorded", async () => {
      const before = await scrape();
      const r = await fetch(`${http.url}/webhooks/woocommerce/${storeId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(WEBHOOK_BODY_LIMIT + 1) }) });
      expect(r.status).toBe(413);
      const after = await scrape();
      const d = (name: string, labels: Record<string, string>) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
      expect(d("keyrelay_webhooks_rejected_total", { platform: "woocommerce", reason: "body_too_large" })).toBe(1);
      expect(d("keyrelay_webhooks_received_total", { platform: "woocommerce", outcome: "recorded" })).toBe(0);
    });

    it("a host that answers 429 is counted as throttled and as an error, and the retry as one more request", async () => {
      const before = await scrape();
      const requestsBefore = wc.requests.length;
      wc.failNext(1, { status: 429, retryAfter: 1, route: "POST /orders/:id/notes" });
      const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 1 }], status: "processing", billing: { email: "throttled@example.com" } });
      expect((await wc.deliver(hookId, "order.updated", order.id)).status).toBe(200);
      await waitFor(async () => wc.getNotes(order.id).some((n) => n.customer_note), 20_000, "the note after the retry");
      await settled();
      const after = await scrape();
      const d = (name: string, labels: Record<string, string> = {}) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
      expect(d("keyrelay_host_api_throttled_total", { platform: "woocommerce" })).toBe(1);
      expect(d("keyrelay_host_api_errors_total", { platform: "woocommerce", kind: "http_4xx" })).toBe(1);
      expect(d("keyrelay_host_api_requests_total", { platform: "woocommerce" })).toBe(wc.requests.length - requestsBefore);
      expect(d("keyrelay_job_failures_total", { queue: "deliver-order", outcome: "retry" })).toBe(1);
      expect(d("keyrelay_orders_delivered_total", { platform: "woocommerce" })).toBe(1);
      expect(d("keyrelay_allocation_latency_seconds_count", { platform: "woocommerce" })).toBe(1);
    });

    it("shows open backorders and their age when an order finds too few keys; the fill rewrites the note without counting the order twice", async () => {
      const before = await scrape();
      const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 9 }], status: "processing", billing: { email: "many@example.com" } });
      expect((await wc.deliver(hookId, "order.updated", order.id)).status).toBe(200);
      await waitFor(async () => wc.getNotes(order.id).some((n) => n.customer_note), 15_000, "the partial note");
      await settled();
      const e = await scrape();
      // 7 keys were left (10 − 2 − 1): 7 handed out, 2 owed.
      expect(e.value("keyrelay_backorders_open")).toBe(2);
      expect(e.value("keyrelay_backorder_oldest_age_seconds")).toBeGreaterThanOrEqual(0);
      expect(e.value("keyrelay_pool_available_keys", { pool: poolId })).toBe(0);

      // Restock: the fill hands out the 2 owed keys and the note is rewritten — still one order delivered.
      const notesBefore = wc.getNotes(order.id).filter((n) => n.customer_note).length;
      const accountId = (await s.db.selectFrom("pools").select("account_id").where("id", "=", poolId).executeTakeFirstOrThrow()).account_id;
      await stockPool(s, accountId, poolId, [`MX${dialect}-R1`, `MX${dialect}-R2`, `MX${dialect}-R3`]);
      await waitFor(async () => wc.getNotes(order.id).filter((n) => n.customer_note).length > notesBefore, 15_000, "the rewritten note");
      await settled();
      const after = await scrape();
      expect(after.value("keyrelay_backorders_open")).toBe(0);
      expect(after.value("keyrelay_pool_available_keys", { pool: poolId })).toBe(1);
      const d = (name: string, labels: Record<string, string> = {}) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
      expect(d("keyrelay_orders_delivered_total", { platform: "woocommerce" })).toBe(1);
    });
  });

  describe.skipIf(!available)(`/metrics for a Shopify store on ${dialect}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let shopify: FakeShopify;
    let smtp: TestSmtpServer;
    let productId: string;
    let variantId: string;
    const shop = `metrics-${dialect}.myshopify.com`;

    beforeAll(async () => {
      shopify = await startFakeShopify({ shop, accessToken: "shpat_test_token" });
      smtp = await startSmtpServer();
      s = await makeServices({ dialect, startWorkers: true, env: { ...SHOPIFY_ENV, SHOPIFY_ADMIN_API_ORIGIN: shopify.origin, SMTP_URL: smtp.url, HOST_REQUEST_TIMEOUT_MS: "3000", STOCK_SYNC_WINDOW_MS: "20", METRICS_TOKEN: TOKEN } });
      http = await startHttp(s);
      await installShopifyShop(s, { shop });
      await storeOfflineSession(s, shop);
      const store = await s.db.selectFrom("stores").selectAll().where("domain", "=", shop).executeTakeFirstOrThrow();
      const poolId = (await createPool(s, store.account_id, { name: "Gift card", refundPolicy: "revoke" }, actor)).id;
      await stockPool(s, store.account_id, poolId, Array.from({ length: 5 }, (_, i) => `MS${dialect}-${i}`));
      const product = shopify.createProduct({ title: "Gift card", variants: [{ title: "$25", available: 0 }] });
      productId = product.productId;
      variantId = product.variantIds[0];
      await mapProduct(s, store.account_id, { storeId: store.id, productId, variantId, poolId, unitsPerItem: 1 }, actor);
      await waitFor(async () => (await s.db.selectFrom("jobs").select("id").where("status", "in", ["pending", "running"]).execute()).length === 0, 20_000, "jobs to settle");
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await shopify?.close();
      await smtp?.stop();
    });

    it("counts the webhook, the allocation, the write-back, the email, every Admin API request and a THROTTLED answer", async () => {
      const scrape = async () => parsePrometheusText(await (await fetch(`${http.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text());
      const before = await scrape();
      const requestsBefore = shopify.requests.length;
      shopify.failNext({ kind: "throttled", operation: "orderUpdate" });
      const order = shopify.createOrder({ email: "shopify-buyer@example.com", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      const answers = await Promise.all(Array.from({ length: 5 }, () => shopify.sendWebhook(http.url, "orders/paid", order.orderId, { eventId: `evt-metrics-${order.orderId}` })));
      expect(answers.every((r) => r.status === 200)).toBe(true);
      await waitFor(async () => shopify.deliveredKeys(order.orderId) ?? undefined, 20_000, "metafield");
      await waitFor(async () => smtp.received.length >= 1 || undefined, 15_000, "email");
      await waitFor(async () => (await s.db.selectFrom("jobs").select("id").where("status", "in", ["pending", "running"]).execute()).length === 0, 20_000, "jobs to settle");
      const after = await scrape();
      const d = (name: string, labels: Record<string, string> = {}) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
      expect(d("keyrelay_webhooks_received_total", { platform: "shopify", outcome: "recorded" })).toBe(1);
      expect(d("keyrelay_webhooks_received_total", { platform: "shopify", outcome: "duplicate" })).toBe(4);
      expect(d("keyrelay_allocation_latency_seconds_count", { platform: "shopify" })).toBe(1);
      expect(d("keyrelay_orders_delivered_total", { platform: "shopify" })).toBe(1);
      expect(d("keyrelay_emails_sent_total")).toBe(1);
      expect(shopify.requests.length - requestsBefore).toBeGreaterThan(1);
      expect(d("keyrelay_host_api_requests_total", { platform: "shopify" })).toBe(shopify.requests.length - requestsBefore);
      expect(d("keyrelay_host_api_throttled_total", { platform: "shopify" })).toBe(1);
      for (const v of after.labelValues()) {
        expect(v).not.toContain("@");
        expect(v).not.toContain(shop);
        expect(v).not.toContain(order.orderId);
      }
    });
  });

  describe.skipIf(!available)(`/metrics switches on ${dialect}`, () => {
    it("is 404 on the app's port when metrics are off", async () => {
      const s = await makeServices({ dialect });
      const http = await startHttp(s);
      try {
        const r = await fetch(`${http.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(r.status).toBe(404);
        expect(await r.text()).not.toContain("keyrelay_");
      } finally {
        await http.close();
        await s.cleanup();
      }
    });

    it("METRICS_PORT opens a listener that serves only /metrics, and the app's port stays 404", async () => {
      const metricsPort = await freePort();
      const s = await makeServices({ dialect, env: { METRICS_PORT: String(metricsPort) } });
      const http = await startHttp(s);
      const server = await startMetricsServer(s)!;
      try {
        expect((await fetch(`${http.url}/metrics`)).status).toBe(404);
        const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
        expect(r.status).toBe(200);
        const e = parsePrometheusText(await r.text());
        expect(e.families.has("keyrelay_webhooks_received_total")).toBe(true);
        expect(e.families.has("process_cpu_user_seconds_total")).toBe(true);
        expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
        expect((await fetch(`http://127.0.0.1:${metricsPort}/webhooks/shopify`, { method: "POST" })).status).toBe(404);
        expect(server.address()).toMatchObject({ address: "127.0.0.1" });
      } finally {
        await new Promise((r) => server.close(r));
        await http.close();
        await s.cleanup();
      }
    });
  });
}
