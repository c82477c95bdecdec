import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../app/.server/db/schema.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { scheduleStockDriftRepair } from "../../app/.server/use-cases/repair-stock-drift.ts";
import { chooseStockLocation } from "../../app/.server/use-cases/stock-locations.ts";
import { syncStockNow } from "../../app/.server/use-cases/sync-stock-now.ts";
import { dialects } from "../support/dialects.ts";
import { startFakeShopify, type FakeShopify } from "../support/fake-shopify.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { codes, inParallel, orderFor, runStockSyncs, syncJobCount } from "../support/stock-sync-helpers.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const actor = { type: "cli" as const };

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`Shopify stock sync on ${dialect}`, () => {
    let s: TestServices;
    let shopify: FakeShopify;
    let store: Store;
    let poolId: string;
    let productId: string;
    let v: string[]; // [single, untracked 3-pack, to be deleted]
    const shop = `stock-${dialect}.myshopify.com`;
    const mapping = (variantId: string) => s.db.selectFrom("product_mappings").selectAll().where("variant_id", "=", variantId).executeTakeFirstOrThrow();
    const sell = (quantity: number) => applyHostOrder(s, store, orderFor([{ productId, variantId: v[0], quantity }]));
    const host = () => v.map((id) => shopify.inventory(id));

    beforeAll(async () => {
      shopify = await startFakeShopify({ shop, accessToken: "shpat_test_token" });
      s = await makeServices({ dialect, env: { ...SHOPIFY_ENV, SHOPIFY_ADMIN_API_ORIGIN: shopify.origin, STOCK_SYNC_WINDOW_MS: "600000", HOST_REQUEST_TIMEOUT_MS: "3000" } });
      store = await installShopifyShop(s, { shop });
      await storeOfflineSession(s, shop);
      poolId = (await createPool(s, store.account_id, { name: "Gift card" }, actor)).id;
      const p = shopify.createProduct({ title: "Gift card", variants: [{ title: "$25", available: 40 }, { title: "3-pack", available: 40, tracked: false }, { title: "Old", available: 40 }] });
      productId = p.productId;
      v = p.variantIds;
      await mapProduct(s, store.account_id, { storeId: store.id, productId, variantId: v[0], poolId }, actor);
      await mapProduct(s, store.account_id, { storeId: store.id, productId, variantId: v[1], poolId, unitsPerItem: 3 }, actor);
      await mapProduct(s, store.account_id, { storeId: store.id, productId, variantId: v[2], poolId }, actor);
    });
    afterAll(async () => {
      await s?.cleanup();
      await shopify?.close();
    });

    it("an import and an allocation move the variants' available quantities, turning tracking on where it was off", async () => {
      await stockPool(s, store.account_id, poolId, codes(`SI${dialect}`, 10));
      await runStockSyncs(s);
      expect(host()).toEqual([10, 3, 10]);
      expect(shopify.state.variants.get(v[1])!.tracked).toBe(true);
      expect(await s.db.selectFrom("audit_log").select("subject_id").where("action", "=", "stock.tracking_enabled").execute()).toEqual([{ subject_id: (await mapping(v[1])).id }]);
      // …and the mapping says so, for the merchant's Products page.
      expect((await mapping(v[1])).tracking_enabled_at).not.toBeNull();
      expect((await mapping(v[0])).tracking_enabled_at).toBeNull();
      await sell(4);
      await runStockSyncs(s);
      expect(host()).toEqual([6, 2, 6]);
    });

    it("1,000 orders within one window: one inventorySetQuantities per window for all three variants", async () => {
      await stockPool(s, store.account_id, poolId, codes(`SK${dialect}`, 1000));
      await runStockSyncs(s);
      const before = await syncJobCount(s);
      shopify.resetRequests();
      await inParallel(Array.from({ length: 1000 }), 8, () => sell(1));
      const windows = (await syncJobCount(s)) - before;
      expect(windows).toBeGreaterThanOrEqual(1);
      expect(windows).toBeLessThanOrEqual(2);
      await runStockSyncs(s);
      expect(host()).toEqual([6, 2, 6]);
      expect(shopify.requestCount("inventorySetQuantities")).toBeGreaterThanOrEqual(1);
      expect(shopify.requestCount("inventorySetQuantities")).toBeLessThanOrEqual(windows);
    });

    it("stock changed on Shopify between keyrelay's read and write (CHANGE_FROM_QUANTITY_STALE): read again and set", async () => {
      shopify.resetRequests();
      shopify.onNext("inventorySetQuantities", () => shopify.setInventory(v[0], 42));
      await sell(1);
      await runStockSyncs(s);
      expect(host()).toEqual([5, 1, 5]);
      expect(shopify.requestCount("inventorySetQuantities")).toBe(2);
      expect((await mapping(v[0])).last_sync_error).toBeNull();
    });

    it("waits out THROTTLED within the job, and a 429 with Retry-After through a later retry", async () => {
      shopify.failNext({ kind: "throttled", operation: "inventorySetQuantities", currentlyAvailable: 0 });
      await sell(1);
      expect(await runStockSyncs(s, { rounds: 1 })).toBe(1);
      expect(host()).toEqual([4, 1, 4]);
      expect(await syncJobCount(s, "pending")).toBe(0);

      shopify.failNext({ kind: "http", status: 429, retryAfter: "4.0", operation: "nodes" });
      await sell(1);
      await runStockSyncs(s, { rounds: 1 });
      const job = await s.db.selectFrom("jobs").selectAll().where("queue", "=", "sync-stock").where("status", "=", "pending").executeTakeFirstOrThrow();
      expect(job.last_error).toContain("HTTP 429");
      expect(Date.parse(job.run_at) - Date.parse(job.updated_at)).toBeGreaterThanOrEqual(4000);
      expect(host()).toEqual([4, 1, 4]);
      await runStockSyncs(s);
      expect(host()).toEqual([3, 1, 3]);
    });

    it("a variant deleted on Shopify marks its mapping broken without stopping the others; sync now retries it", async () => {
      shopify.state.variants.delete(v[2]);
      await sell(1);
      await runStockSyncs(s);
      expect(shopify.inventory(v[0])).toBe(2);
      const broken = await mapping(v[2]);
      expect(broken).toMatchObject({ status: "broken", last_sync_error: "variant not found on Shopify" });
      const r = await syncStockNow(s, store.account_id, { storeId: store.id }, actor);
      expect(r.pools).toBe(1);
      await runStockSyncs(s);
      expect((await mapping(v[2])).status).toBe("broken");
      expect((await mapping(v[0])).status).toBe("active");
    });

    it("repairs a hand edit in the Shopify admin on the drift schedule, audited", async () => {
      shopify.setInventory(v[0], 77);
      expect(await scheduleStockDriftRepair(s)).toBe(1);
      await runStockSyncs(s);
      expect(shopify.inventory(v[0])).toBe(2);
      const audit = await s.db.selectFrom("audit_log").select("details").where("action", "=", "stock.drift_corrected").execute();
      expect(audit.map((a) => JSON.parse(a.details!))).toEqual([expect.objectContaining({ found: 77, set: 2 })]);
    });

    it("writes at the location the merchant chose", async () => {
      shopify.state.locations.add("2002");
      shopify.state.variants.get(v[0])!.available.set("2002", 0);
      shopify.state.variants.get(v[1])!.available.set("2002", 0);
      await chooseStockLocation(s, store.account_id, store.id, "2002", actor);
      await runStockSyncs(s);
      expect(shopify.inventory(v[0], "2002")).toBe(2);
      expect(shopify.inventory(v[1], "2002")).toBe(0);
    });
  });
}
