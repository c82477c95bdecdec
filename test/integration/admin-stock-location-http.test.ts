import { TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import type { Store } from "../../app/.server/db/schema.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { signInOverHttp, type AdminHttpSession } from "../support/admin-http-session.ts";
import { dialects } from "../support/dialects.ts";
import { freePort } from "../support/free-port.ts";
import { startFakeShopify, type FakeShopify } from "../support/fake-shopify.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { embeddedPage, embeddedPost } from "../support/embedded-request.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { codes, runStockSyncs, syncJobCount } from "../support/stock-sync-helpers.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The stock location on a store's page, over HTTP on the production build with the fake Shopify:
 * the page lists the shop's locations with the one in use marked; choosing another stores it,
 * audits it and syncs the store's mapped stock there; an unknown id, another account and a
 * WooCommerce store are refused and change nothing; a shop that cannot be reached is a banner.
 * The embedded admin (/app, session tokens) serves the same section.
 */

const actor = { type: "cli" as const };
const PASSWORD = "correct-horse-battery";

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`stock location on the store page (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let shopify: FakeShopify;
    let store: Store;
    let wooStoreId: string;
    let variantId: string;
    let admin: AdminHttpSession;
    let other: AdminHttpSession;
    const shop = `location-${dialect}.myshopify.com`;
    const page = () => `/admin/stores/${store.id}/products`;
    const settings = async () => JSON.parse((await s.db.selectFrom("stores").select("settings").where("id", "=", store.id).executeTakeFirstOrThrow()).settings ?? "{}");
    const audits = () => s.db.selectFrom("audit_log").select("details").where("action", "=", "store.settings_changed").where("subject_id", "=", store.id).execute();

    beforeAll(async () => {
      shopify = await startFakeShopify({ shop, accessToken: "shpat_test_token" });
      const port = await freePort();
      s = await makeServices({
        dialect,
        env: { ...SHOPIFY_ENV, SHOPIFY_ADMIN_API_ORIGIN: shopify.origin, APP_URL: `http://127.0.0.1:${port}`, STOCK_SYNC_WINDOW_MS: "600000", HOST_REQUEST_TIMEOUT_MS: "3000", LOGIN_MAX_ATTEMPTS: "50" },
      });
      http = await startHttp(s, port);
      store = await installShopifyShop(s, { shop });
      await storeOfflineSession(s, shop);
      await createAdminUser(s, { email: "merchant@example.com", password: PASSWORD, accountId: store.account_id });
      await createAdminUser(s, { email: "intruder@example.com", password: PASSWORD, accountName: "Someone else" });
      wooStoreId = (await insertStore(s.db, { accountId: store.account_id, platform: "woocommerce", domain: "https://woo.example", name: "Woo shop" })).id;

      shopify.state.locations.add("2002");
      shopify.state.locationNames.set("2002", "Warehouse Shenzhen");
      const p = shopify.createProduct({ title: "Game card", variants: [{ title: "EU", available: 0 }] });
      variantId = p.variantIds[0];
      shopify.setInventory(variantId, 0, "2002");
      const pool = await createPool(s, store.account_id, { name: "Game card" }, actor);
      await mapProduct(s, store.account_id, { storeId: store.id, productId: p.productId, variantId, poolId: pool.id }, actor);
      await stockPool(s, store.account_id, pool.id, codes(`LOC${dialect}`, 3));
      await runStockSyncs(s);
      expect(shopify.inventory(variantId)).toBe(3);

      admin = await signInOverHttp(http.url, "merchant@example.com", PASSWORD);
      other = await signInOverHttp(http.url, "intruder@example.com", PASSWORD);
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await shopify?.close();
    });

    it("lists the shop's locations with the primary one in use", async () => {
      const res = await admin.get(page());
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toContain("Stock location");
      expect(html).toContain("Shop location (primary, in use)");
      expect(html).toContain("Warehouse Shenzhen");
    });

    it("choosing another location stores it, audits it and sets the mapped stock there", async () => {
      const before = await syncJobCount(s);
      const res = await admin.post(page(), { intent: "location", locationId: "2002" });
      expect(res.status).toBe(200);
      expect(await settings()).toMatchObject({ inventoryLocationId: "2002" });
      expect((await audits()).map((a) => JSON.parse(a.details!).after)).toEqual([expect.objectContaining({ inventoryLocationId: "2002" })]);
      // A sync of the store's mappings was asked for; run it as the worker would.
      expect(await syncJobCount(s)).toBeGreaterThan(before);
      await runStockSyncs(s);
      expect(shopify.inventory(variantId, "2002")).toBe(3);
      // The page now marks the warehouse as the location in use.
      const html = await (await admin.get(page())).text();
      expect(html).toContain("Warehouse Shenzhen (in use)");
      expect(html).toContain("Shop location (primary)");
    });

    it("refuses a location the shop does not have, naming the field, and changes nothing", async () => {
      const jobs = await syncJobCount(s);
      for (const locationId of ["9999", "", "gid://shopify/Location/1001 OR 1"]) {
        const res = await admin.post(page(), { intent: "location", locationId });
        expect(res.status, locationId).toBe(400);
        const text = await res.text();
        expect(text).toContain("stock_location_unknown");
        expect(text).toContain("locationId");
      }
      expect(await settings()).toMatchObject({ inventoryLocationId: "2002" });
      expect(await audits()).toHaveLength(1);
      expect(await syncJobCount(s)).toBe(jobs);
    });

    it("another account gets 404 for the page and the post, and nothing changes", async () => {
      expect((await other.get(page())).status).toBe(404);
      const res = await other.post(page(), { intent: "location", locationId: "1001" });
      expect(res.status).toBe(404);
      expect(await settings()).toMatchObject({ inventoryLocationId: "2002" });
      expect(await audits()).toHaveLength(1);
    });

    it("a WooCommerce store has no location to choose", async () => {
      const html = await (await admin.get(`/admin/stores/${wooStoreId}/products`)).text();
      expect(html).not.toContain("Stock location");
      const res = await admin.post(`/admin/stores/${wooStoreId}/products`, { intent: "location", locationId: "1001" });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("stock_location_unknown");
    });

    it("a shop that does not answer, or rejects the credentials, is a banner; choosing the primary again clears the setting", async () => {
      // One failure for the page, one for the post (the client does not retry a 5xx itself).
      shopify.failNext({ kind: "http", status: 503, operation: "locations", times: 2 });
      const down = await admin.get(page());
      expect(down.status).toBe(200);
      const downHtml = await down.text();
      expect(downHtml).toContain("The store&#x27;s locations could not be loaded");
      expect(downHtml).toContain("did not answer in time");
      const refused = await admin.post(page(), { intent: "location", locationId: "1001" });
      expect(refused.status).toBe(502);
      expect(await refused.text()).toContain("host_unavailable");
      expect(await settings()).toMatchObject({ inventoryLocationId: "2002" });
      shopify.failNext({ kind: "http", status: 401, operation: "locations" });
      expect(await (await admin.get(page())).text()).toContain("rejected keyrelay&#x27;s credentials");
      await s.db.updateTable("stores").set({ attention: null, attention_at: null }).where("id", "=", store.id).execute();

      const back = await admin.post(page(), { intent: "location", locationId: "1001" });
      expect(back.status).toBe(200);
      expect((await settings()).inventoryLocationId).toBeUndefined();
    });
  });
}

describe("stock location in the embedded admin (session tokens)", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  let shopify: FakeShopify;
  let store: Store;
  const otherShop = "other-shop.myshopify.com";
  const post = (shopName: string, fields: Record<string, string>) => embeddedPost(http.url, `/app/stores/${store.id}/products.data`, shopName, fields);

  beforeAll(async () => {
    shopify = await startFakeShopify({ shop: TEST_SHOP, accessToken: "shpat_test_token" });
    s = await makeServices({ dialect: "sqlite", env: { ...SHOPIFY_ENV, SHOPIFY_ADMIN_API_ORIGIN: shopify.origin, STOCK_SYNC_WINDOW_MS: "600000", HOST_REQUEST_TIMEOUT_MS: "3000" } });
    http = await startHttp(s);
    store = await installShopifyShop(s, { shop: TEST_SHOP });
    await storeOfflineSession(s, TEST_SHOP);
    await installShopifyShop(s, { shop: otherShop });
    await storeOfflineSession(s, otherShop);
    shopify.state.locations.add("2002");
    shopify.state.locationNames.set("2002", "Warehouse Shenzhen");
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
    await shopify?.close();
  });

  it("lists the locations, chooses one, and another shop's token gets 404", async () => {
    const res = await embeddedPage(http.url, `/app/stores/${store.id}/products`, TEST_SHOP_NAME);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("Shop location (primary, in use)");
    expect(html).toContain("Warehouse Shenzhen");

    const chosen = await post(TEST_SHOP_NAME, { intent: "location", locationId: "2002" });
    expect(chosen.status).toBe(200);
    const settings = async () => JSON.parse((await s.db.selectFrom("stores").select("settings").where("id", "=", store.id).executeTakeFirstOrThrow()).settings ?? "{}");
    expect(await settings()).toMatchObject({ inventoryLocationId: "2002" });
    const audit = await s.db.selectFrom("audit_log").select(["actor_type", "actor_id"]).where("action", "=", "store.settings_changed").execute();
    expect(audit).toEqual([{ actor_type: "shopify_staff", actor_id: TEST_SHOP }]);

    const intruder = await post("other-shop", { intent: "location", locationId: "1001" });
    expect(intruder.status).toBe(404);
    expect(await settings()).toMatchObject({ inventoryLocationId: "2002" });
  });
});
