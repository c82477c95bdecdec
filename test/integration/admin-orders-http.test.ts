import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { freePort } from "../support/free-port.ts";
import { signInOverHttp, type AdminHttpSession } from "../support/admin-http-session.ts";
import { startHttp } from "../support/http-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The stores, mapping and orders pages over HTTP on the production build: login required, one
 * account never sees another's orders, search by order number, email and exact key (POSTed, never
 * in a URL), the WooCommerce connect form's clear errors, reveal audited.
 */

const actor = { type: "cli" as const };
const PASSWORD = "correct-horse-battery";

let s: TestServices;
let http: { url: string; close(): Promise<void> };
let wc: FakeWooCommerce;

const signIn = (email: string) => signInOverHttp(http.url, email, PASSWORD);

let accountA: string;
let accountB: string;
let orderA: string;
let orderB: string;
let storeA: string;
let keyOfA: string;
let admin: AdminHttpSession;

beforeAll(async () => {
  wc = await startFakeWooCommerce();
  const port = await freePort();
  s = await makeServices({ dialect: "sqlite", env: { APP_URL: `http://127.0.0.1:${port}`, HOST_REQUEST_TIMEOUT_MS: "3000", LOGIN_MAX_ATTEMPTS: "50" } });
  http = await startHttp(s, port);
  accountA = (await createAdminUser(s, { email: "a@example.com", password: PASSWORD, accountName: "Shop A" })).accountId;
  accountB = (await createAdminUser(s, { email: "b@example.com", password: PASSWORD, accountName: "Shop B" })).accountId;
  for (const [accountId, code] of [
    [accountA, "AAAA-ORDER-KEY-0001"],
    [accountB, "BBBB-ORDER-KEY-0001"],
  ] as const) {
    const store = await insertStore(s.db, { accountId, platform: "shopify", domain: `shop-${accountId.slice(0, 8)}.myshopify.com`, name: "Test shop" });
    const pool = await createPool(s, accountId, { name: "Game card", refundPolicy: "revoke" }, actor);
    await upsertMapping(s.db, { accountId, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: "Game card", unitsPerItem: 1, syncStock: false });
    await stockPool(s, accountId, pool.id, [code]);
    const outcome = await applyHostOrder(s, store, paidOrder({ id: accountId === accountA ? "5001" : "6001", quantity: 2, email: accountId === accountA ? "ada@example.com" : "bob@example.com" }));
    if (accountId === accountA) {
      orderA = outcome.orderId;
      storeA = store.id;
      keyOfA = code;
    } else orderB = outcome.orderId;
  }
  admin = await signIn("a@example.com");
});

afterAll(async () => {
  await http?.close();
  await s?.cleanup();
  await wc?.close();
});

describe("stores, mapping and orders pages over HTTP", () => {
  it("requires a login for every new page", async () => {
    for (const path of ["/admin/stores", `/admin/stores/${storeA}/products`, "/admin/orders", `/admin/orders/${orderA}`]) {
      const res = await fetch(`${http.url}${path}`, { redirect: "manual" });
      expect(res.status, path).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/login\?next=/);
    }
    const post = await fetch(`${http.url}/admin/orders.data`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "intent=search&q=x" });
    expect([302, 202, 204]).toContain(post.status);
    expect(await post.text()).not.toContain("ada@example.com");
  });

  it("lists the account's orders only, and another account's order id is a 404", async () => {
    const list = await admin.get("/admin/orders");
    const html = await list.text();
    expect(list.status).toBe(200);
    expect(html).toContain("ada@example.com");
    expect(html).not.toContain("bob@example.com");
    expect((await admin.get(`/admin/orders/${orderB}`)).status).toBe(404);
    expect((await admin.get(`/admin/orders/not-an-order`)).status).toBe(404);
    // Another account's store is a 404 too.
    const storeB = await s.db.selectFrom("stores").select("id").where("account_id", "=", accountB).executeTakeFirstOrThrow();
    expect((await admin.get(`/admin/stores/${storeB.id}/products`)).status).toBe(404);
  });

  it("shows an order with its keys masked, one unit backordered, and no plaintext", async () => {
    const res = await admin.get(`/admin/orders/${orderA}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("AAAA…0001");
    expect(html).not.toContain(keyOfA);
    expect(html).toContain("Backordered");
  });

  it("finds orders by number, by email, and by an exact key — never another account's", async () => {
    const byName = await (await admin.post("/admin/orders", { intent: "search", q: "#5001" })).text();
    expect(byName).toContain(orderA);
    const byBareNumber = await (await admin.post("/admin/orders", { intent: "search", q: "5001" })).text();
    expect(byBareNumber).toContain(orderA);
    const byEmail = await (await admin.post("/admin/orders", { intent: "search", q: "ADA@example.com" })).text();
    expect(byEmail).toContain(orderA);
    const byKey = await admin.post("/admin/orders", { intent: "search", q: keyOfA.toLowerCase() });
    const byKeyText = await byKey.text();
    expect(byKeyText).toContain(orderA);
    expect(byKeyText).not.toContain(keyOfA); // the code is not echoed back
    expect(byKey.headers.get("cache-control")).toContain("no-store");
    // Account B's order number, email and key find nothing from account A.
    for (const q of ["#6001", "bob@example.com", "BBBB-ORDER-KEY-0001"]) {
      const text = await (await admin.post("/admin/orders", { intent: "search", q })).text();
      expect(text, q).not.toContain(orderB);
    }
  });

  it("reveals a key of the order only by POST with the CSRF token, audited", async () => {
    const unit = await s.db
      .selectFrom("allocations as a")
      .innerJoin("order_lines as l", "l.id", "a.order_line_id")
      .select(["a.key_id"])
      .where("l.order_id", "=", orderA)
      .where("a.key_id", "is not", null)
      .executeTakeFirstOrThrow();
    const forged = await fetch(`${http.url}/admin/orders/${orderA}.data`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "reveal", keyId: String(unit.key_id) }),
      redirect: "manual",
    });
    expect(await forged.text()).not.toContain(keyOfA);
    const noCsrf = await admin.post(`/admin/orders/${orderA}`, { intent: "reveal", keyId: String(unit.key_id), csrf: "wrong" });
    expect(await noCsrf.text()).not.toContain(keyOfA);
    const ok = await admin.post(`/admin/orders/${orderA}`, { intent: "reveal", keyId: String(unit.key_id) });
    expect(await ok.text()).toContain(keyOfA);
    expect(ok.headers.get("cache-control")).toContain("no-store");
    const audit = await s.db.selectFrom("audit_log").select(["action", "subject_id"]).where("action", "=", "key.revealed").execute();
    expect(audit).toEqual([{ action: "key.revealed", subject_id: String(unit.key_id) }]);
    // The history on the order page names the reveal.
    expect(await (await admin.get(`/admin/orders/${orderA}`)).text()).toContain(`Key #${unit.key_id} revealed`);
  });

  it("actions on another account's order or job are refused", async () => {
    // Another account's order is answered like an unknown one, whatever the action.
    for (const intent of ["resend", "rerun", "retry", "revoke", "reveal"]) {
      const res = await admin.post(`/admin/orders/${orderB}`, { intent, jobId: "1", allocationId: "1", keyId: "1" });
      expect(res.status, intent).toBe(404);
      expect(await res.text(), intent).toContain("order_not_found");
    }
    const retry = await admin.post(`/admin/orders/${orderA}`, { intent: "retry", jobId: "999999" });
    expect(retry.status).toBe(404);
    expect(await retry.text()).toContain("job_not_found");
    const revoke = await admin.post(`/admin/orders/${orderA}`, { intent: "revoke", allocationId: "999999" });
    expect(revoke.status).toBe(404);
    expect(await revoke.text()).toContain("allocation_not_found");
  });

  it("the connect form answers each mistake with its own error and stores nothing", async () => {
    const connect = (over: Record<string, string>) => admin.post("/admin/stores", { intent: "connect", ...wc.connection, registerWebhookShown: "1", registerWebhook: "on", ...over });
    const cases: [Record<string, string>, string][] = [
      [{ consumerSecret: `cs_${"0".repeat(40)}` }, "woo_bad_credentials"],
      [{ ...wc.addApiKey({ permissions: "read" }) }, "woo_read_only_key"],
      [{ url: "http://127.0.0.1:1" }, "woo_unreachable"],
      [{ url: "not a url" }, "store_url_invalid"],
      [{ consumerKey: "nope" }, "woo_consumer_key_format"],
      [{ consumerSecret: "nope" }, "woo_consumer_secret_format"],
      [{ webhookSecret: "short" }, "woo_webhook_secret_short"],
    ];
    for (const [over, code] of cases) {
      const res = await connect(over);
      expect(res.status, code).toBe(400);
      const text = await res.text();
      expect(text, code).toContain(code);
      expect(text).not.toContain(wc.connection.consumerSecret);
    }
    expect(await s.db.selectFrom("stores").select("id").where("platform", "=", "woocommerce").execute()).toEqual([]);
    // Without a CSRF token: refused.
    expect((await admin.post("/admin/stores", { intent: "connect", ...wc.connection, csrf: "x" })).status).toBe(403);
  });

  it("connects a store, warns when WooCommerce does not manage stock, and never echoes the secret", async () => {
    wc.setSetting("woocommerce_manage_stock", "no");
    const res = await admin.post("/admin/stores", { intent: "connect", ...wc.connection, registerWebhookShown: "1" });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain("/webhooks/woocommerce/");
    expect(text).toContain("manageStock");
    expect(text).not.toContain(wc.connection.consumerSecret);
    // The unticked box registered no webhook.
    expect(wc.getWebhooks()).toEqual([]);
    const store = await s.db.selectFrom("stores").selectAll().where("platform", "=", "woocommerce").executeTakeFirstOrThrow();
    expect(store.account_id).toBe(accountA);
    const page = await (await admin.get("/admin/stores")).text();
    expect(page).toContain(wc.url);
    expect(page).not.toContain(wc.connection.consumerSecret);

    // The per-store email setting: off by default for WooCommerce, turned on, audited.
    const set = await admin.post("/admin/stores", { intent: "settings", storeId: store.id, sendEmail: "on" });
    expect(set.status).toBe(200);
    const after = await s.db.selectFrom("stores").select("settings").where("id", "=", store.id).executeTakeFirstOrThrow();
    expect(JSON.parse(after.settings)).toEqual({ sendEmail: true });
    expect(await s.db.selectFrom("audit_log").select("action").where("action", "=", "store.settings_changed").execute()).toHaveLength(1);
    // Another account cannot change it.
    const b = await signIn("b@example.com");
    expect((await b.post("/admin/stores", { intent: "settings", storeId: store.id, sendEmail: "off" })).status).toBe(404);
  });

  it("maps a store product to a pool, refuses an archived pool, shows host failures as a banner", async () => {
    const store = await s.db.selectFrom("stores").select("id").where("platform", "=", "woocommerce").executeTakeFirstOrThrow();
    const product = wc.createProduct({ name: "Gift card $25", price: "25.00", sku: "GC-25" });
    const page = await (await admin.get(`/admin/stores/${store.id}/products?q=Gift`)).text();
    expect(page).toContain("Gift card $25");
    const pool = await createPool(s, accountA, { name: "Gift cards", refundPolicy: "revoke" }, actor);
    const mapped = await admin.post(`/admin/stores/${store.id}/products`, { intent: "map", productId: String(product.id), poolId: pool.id, unitsPerItem: "3", title: "Gift card $25" });
    expect(mapped.status).toBe(200);
    const row = await s.db.selectFrom("product_mappings").selectAll().where("store_id", "=", store.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ product_id: String(product.id), pool_id: pool.id, units_per_item: 3 });
    expect(await (await admin.get(`/admin/stores/${store.id}/products`)).text()).toContain("Gift cards");

    const badUnits = await admin.post(`/admin/stores/${store.id}/products`, { intent: "map", productId: String(product.id), poolId: pool.id, unitsPerItem: "0" });
    expect(await badUnits.text()).toContain("mapping_units");
    const archived = await createPool(s, accountA, { name: "Old cards", refundPolicy: "revoke" }, actor);
    await s.db.updateTable("pools").set({ archived_at: new Date().toISOString() }).where("id", "=", archived.id).execute();
    const refused = await admin.post(`/admin/stores/${store.id}/products`, { intent: "map", productId: String(product.id), poolId: archived.id });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("mapping_pool_archived");

    const removed = await admin.post(`/admin/stores/${store.id}/products`, { intent: "unmap", mappingId: row.id });
    expect(removed.status).toBe(200);
    expect(await s.db.selectFrom("product_mappings").select("id").where("store_id", "=", store.id).execute()).toEqual([]);

    // The store stops answering: the page still renders, with the failure in a banner.
    wc.failNext(10, { status: 503 });
    const down = await admin.get(`/admin/stores/${store.id}/products?q=Gift`);
    expect(down.status).toBe(200);
    expect(await down.text()).toContain("could not be loaded");
    wc.clearFailures();
  });
});
