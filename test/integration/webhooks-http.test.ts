import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countWebhookEvents } from "../../app/.server/db/repositories/webhook-events-repo.ts";
import { findStoreByDomain, insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { SHOPIFY_ENV, shopifyWebhook, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`webhooks over HTTP on ${dialect}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    const shop = `wh-${dialect}.myshopify.com`;

    beforeAll(async () => {
      s = await makeServices({ dialect, env: SHOPIFY_ENV, startWorkers: true });
      http = await startHttp(s);
      await installShopifyShop(s, { shop });
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    const events = () => s.db.selectFrom("webhook_events").selectAll().orderBy("id").execute();

    it("records a verified orders/paid once, however often it is delivered, and enqueues its processing", async () => {
      const before = await countWebhookEvents(s.db);
      const body = JSON.stringify({ id: 820982911946154500, name: "#1001", line_items: [] });
      const eventId = crypto.randomUUID();
      const answers = await Promise.all(Array.from({ length: 10 }, () => shopifyWebhook(http.url, { shop, topic: "orders/paid", body, eventId })));
      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(await countWebhookEvents(s.db)).toBe(before + 1);
      const ev = (await events()).at(-1)!;
      expect(ev).toMatchObject({ platform: "shopify", topic: "orders/paid" });
      // Workers run here: the event may already have been processed (an order with no mapped lines).
      expect(["received", "processed"]).toContain(ev.status);
      const jobs = await s.db.selectFrom("jobs").selectAll().where("queue", "=", "process-event").execute();
      expect(jobs.filter((j) => JSON.parse(j.payload).eventId === Number(ev.id))).toHaveLength(1);
    });

    it("rejects a forged signature with 401 and records nothing", async () => {
      const before = await countWebhookEvents(s.db);
      const r = await shopifyWebhook(http.url, { shop, topic: "orders/paid", body: "{}", secret: "not-the-app-secret" });
      expect(r.status).toBe(401);
      expect(await countWebhookEvents(s.db)).toBe(before);
    });

    it("answers malformed JSON and an oversized body with a 4xx and a clear message, recording nothing", async () => {
      const before = await countWebhookEvents(s.db);
      const bad = await shopifyWebhook(http.url, { shop, topic: "orders/paid", body: "{not json" });
      expect(bad.status).toBeGreaterThanOrEqual(400);
      expect(bad.status).toBeLessThan(500);
      const big = await shopifyWebhook(http.url, { shop, topic: "orders/paid", body: JSON.stringify({ pad: "x".repeat(10 * 1024 * 1024) }) });
      expect(big.status).toBe(413);
      expect((await big.json()).error.code).toBe("body_too_large");
      expect(await countWebhookEvents(s.db)).toBe(before);
    });

    it("acknowledges a webhook for a shop that never installed, and ignores it", async () => {
      const r = await shopifyWebhook(http.url, { shop: "stranger.myshopify.com", topic: "orders/paid", body: "{}" });
      expect(r.status).toBe(200);
      const ev = (await events()).at(-1)!;
      expect(ev.status).toBe("ignored");
      expect(ev.store_id).toBeNull();
    });

    it("app/uninstalled marks the store uninstalled and deletes its sessions; later order webhooks are ignored", async () => {
      const other = `uninstall-${dialect}.myshopify.com`;
      await installShopifyShop(s, { shop: other });
      await storeOfflineSession(s, other);
      const r = await shopifyWebhook(http.url, { shop: other, topic: "app/uninstalled", body: JSON.stringify({ id: 1, domain: other }) });
      expect(r.status).toBe(200);
      await waitFor(async () => (await findStoreByDomain(s.db, "shopify", other))?.status === "uninstalled", 10_000, "uninstalled");
      expect(await s.db.selectFrom("shopify_sessions").select("id").where("shop", "=", other).execute()).toEqual([]);
      await shopifyWebhook(http.url, { shop: other, topic: "orders/paid", body: JSON.stringify({ id: 5 }) });
      await waitFor(async () => (await events()).at(-1)?.status === "ignored", 10_000, "ignored after uninstall");
      // Reinstalling reactivates the same store and account.
      const again = await installShopifyShop(s, { shop: other });
      expect(again.status).toBe("active");
    });

    it("WooCommerce: answers the ping, verifies the raw-body signature, rejects forgeries and unknown stores", async () => {
      const account = (await findStoreByDomain(s.db, "shopify", shop))!.account_id;
      const store = await insertStore(s.db, { accountId: account, platform: "woocommerce", domain: "https://woo.example", name: "Woo" });
      const secret = "wc-secret-123";
      const sealed = s.cipher.seal(secret, store.id);
      await s.db.updateTable("stores").set({ webhook_secret_ciphertext: sealed.ciphertext, webhook_secret_key_id: sealed.keyId }).where("id", "=", store.id).execute();
      const url = `${http.url}/webhooks/woocommerce/${store.id}`;

      const ping = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "webhook_id=12" });
      expect(ping.status).toBe(200);

      const raw = '{"id":77,"status":"processing","date_modified_gmt":"2026-11-25T04:00:00","shipping":{"city":"\\u4e0a\\u6d77"},"url":"https:\\/\\/woo.example\\/"}';
      const sig = crypto.createHmac("sha256", secret).update(raw).digest("base64");
      const headers = { "content-type": "application/json", "x-wc-webhook-signature": sig, "x-wc-webhook-topic": "order.updated", "x-wc-webhook-delivery-id": "99" };
      const before = await countWebhookEvents(s.db, { storeId: store.id });
      expect((await fetch(url, { method: "POST", headers, body: raw })).status).toBe(200);
      // The same delivery id repeating within a second is the same event.
      expect((await fetch(url, { method: "POST", headers, body: raw })).status).toBe(200);
      expect(await countWebhookEvents(s.db, { storeId: store.id })).toBe(before + 1);

      const forged = await fetch(url, { method: "POST", headers: { ...headers, "x-wc-webhook-signature": crypto.createHmac("sha256", "wrong").update(raw).digest("base64") }, body: raw });
      expect(forged.status).toBe(401);
      expect(await countWebhookEvents(s.db, { storeId: store.id })).toBe(before + 1);

      const unknown = await fetch(`${http.url}/webhooks/woocommerce/${crypto.randomUUID()}`, { method: "POST", headers, body: raw });
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).error.message).toMatch(/not connected/);
    });

    it("never writes the webhook secret or app secret to the log", async () => {
      const all = s.logLines.join("\n");
      expect(all).not.toContain("wc-secret-123");
      expect(all).not.toContain(SHOPIFY_ENV.SHOPIFY_API_SECRET);
    });
  });
}
