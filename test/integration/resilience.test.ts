import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../app/.server/config.ts";
import { MasterKeyMismatchError } from "../../app/.server/crypto/key-material.ts";
import { findStoreByDomain, insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { createLogger } from "../../app/.server/logger.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { startHttp } from "../support/http-server.ts";
import { SHOPIFY_ENV, shopifyWebhook } from "../support/shopify-fixtures.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

describe("the master key must match the database", () => {
  let s: TestServices;
  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: { KEYRELAY_MASTER_KEY: Buffer.alloc(32, 1).toString("base64") } });
  });
  afterAll(async () => {
    await s?.cleanup();
  });

  it("refuses to start with another master key instead of sealing new keys under it", async () => {
    const wrong = loadConfig({ ...s.env, KEYRELAY_MASTER_KEY: Buffer.alloc(32, 2).toString("base64") });
    await expect(createServices(wrong, { log: createLogger({ level: "silent" }) })).rejects.toBeInstanceOf(MasterKeyMismatchError);
  });

  it("starts again with the right key, with the same fingerprints", async () => {
    const again = await createServices(loadConfig(s.env), { log: createLogger({ level: "silent" }) });
    try {
      expect(again.fingerprinter.fingerprint("ABCD-1234").equals(s.fingerprinter.fingerprint("ABCD-1234"))).toBe(true);
    } finally {
      await again.close();
    }
  });
});

describe("with Redis unreachable", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  const shop = "redis-down.myshopify.com";
  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing listens, connections are refused.
    s = await makeServices({ dialect: "sqlite", env: { ...SHOPIFY_ENV, REDIS_URL: "redis://127.0.0.1:9" } });
    http = await startHttp(s);
    await installShopifyShop(s, { shop });
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  it("starting workers does not wait for Redis", async () => {
    const started = Date.now();
    await s.jobs.startWorkers();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("still answers webhooks at once and records the work for the sweeper", async () => {
    const started = Date.now();
    const r = await shopifyWebhook(http.url, { shop, topic: "orders/paid", body: JSON.stringify({ id: 1, name: "#1001", line_items: [] }) });
    expect(r.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    const jobs = await s.db.selectFrom("jobs").select(["queue", "status"]).execute();
    expect(jobs).toContainEqual({ queue: "process-event", status: "pending" });
  });

  it("stays ready (the database answers) and reports the queue as degraded", async () => {
    const r = await fetch(`${http.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ready: true, database: "ok", queue: "degraded", backup: { state: "off" } });
  });
});

describe("store lifecycle events", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: SHOPIFY_ENV, startWorkers: true });
    http = await startHttp(s);
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  it("a late app/uninstalled from before a reinstall does not undo it", async () => {
    const shop = "reinstalled.myshopify.com";
    await installShopifyShop(s, { shop });
    const before = new Date(Date.now() - 60_000).toISOString();
    const r = await fetch(`${http.url}/webhooks/shopify`, { method: "POST", headers: await signed(shop, "app/uninstalled", before), body: '{"id":1}' });
    expect(r.status).toBe(200);
    await waitFor(async () => (await s.db.selectFrom("webhook_events").select("status").orderBy("id", "desc").executeTakeFirst())?.status === "ignored", 10_000, "ignored");
    expect((await findStoreByDomain(s.db, "shopify", shop))?.status).toBe("active");
  });

  it("records WooCommerce deliveries for a disconnected store as ignored, so they can be replayed", async () => {
    const account = (await findStoreByDomain(s.db, "shopify", "reinstalled.myshopify.com"))!.account_id;
    const store = await insertStore(s.db, { accountId: account, platform: "woocommerce", domain: "https://gone.example", name: "Gone", status: "disconnected" });
    const sealed = s.cipher.seal("sec", store.id);
    await s.db.updateTable("stores").set({ webhook_secret_ciphertext: sealed.ciphertext, webhook_secret_key_id: sealed.keyId }).where("id", "=", store.id).execute();
    const raw = '{"id":5,"status":"processing"}';
    const r = await fetch(`${http.url}/webhooks/woocommerce/${store.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-wc-webhook-topic": "order.updated", "x-wc-webhook-signature": crypto.createHmac("sha256", "sec").update(raw).digest("base64") },
      body: raw,
    });
    expect(r.status).toBe(200);
    const ev = await s.db.selectFrom("webhook_events").selectAll().where("store_id", "=", store.id).executeTakeFirstOrThrow();
    expect(ev.status).toBe("ignored");
    expect(ev.error).toBe("store is disconnected");
  });

  async function signed(shop: string, topic: string, triggeredAt: string) {
    const body = '{"id":1}';
    return {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": crypto.createHmac("sha256", SHOPIFY_ENV.SHOPIFY_API_SECRET).update(body).digest("base64"),
      "x-shopify-topic": topic,
      "x-shopify-shop-domain": shop,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": crypto.randomUUID(),
      "x-shopify-event-id": crypto.randomUUID(),
      "x-shopify-triggered-at": triggeredAt,
    };
  }
});
