import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import type { Store } from "../../app/.server/db/schema.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { getStockSyncStatus } from "../../app/.server/use-cases/get-stock-sync-status.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { scheduleStockDriftRepair } from "../../app/.server/use-cases/repair-stock-drift.ts";
import { dialects } from "../support/dialects.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { codes, inParallel, orderFor, runStockSyncs, syncJobCount } from "../support/stock-sync-helpers.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const actor = { type: "cli" as const };

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`WooCommerce stock sync on ${dialect}`, () => {
    let s: TestServices;
    let wc: FakeWooCommerce;
    let accountId: string;
    let store: Store;
    let poolId: string;
    let simple: number;
    let parent: number;
    let pack: number; // a variation sold as a 2-pack
    let single: number;
    const mappingOf = (productId: number, variantId: number | null) =>
      s.db.selectFrom("product_mappings").selectAll().where("product_id", "=", String(productId)).where("variant_id", "=", variantId ? String(variantId) : "").executeTakeFirstOrThrow();
    const sell = (productId: number, variantId: number | null, quantity: number) => applyHostOrder(s, store, orderFor([{ productId: String(productId), variantId: variantId ? String(variantId) : null, quantity }]));
    const hostStock = () => [wc.getStock(simple).stock_quantity, wc.getStock(parent, pack).stock_quantity, wc.getStock(parent, single).stock_quantity];

    beforeAll(async () => {
      wc = await startFakeWooCommerce();
      // A window far longer than the test: nothing runs by itself; runStockSyncs runs what is due.
      s = await makeServices({ dialect, env: { STOCK_SYNC_WINDOW_MS: "600000", HOST_REQUEST_TIMEOUT_MS: "3000" } });
      accountId = (await createAccount(s.db, { name: "Woo merchant", alertEmail: "alerts@example.com" })).id;
      poolId = (await createPool(s, accountId, { name: "Game card", refundPolicy: "revoke" }, actor)).id;
      const connected = await connectWooCommerceStore(s, accountId, { ...wc.connection }, actor);
      store = await s.db.selectFrom("stores").selectAll().where("id", "=", connected.id).executeTakeFirstOrThrow();
      simple = wc.createProduct({ name: "Game card" }).id;
      parent = wc.createProduct({ name: "Game card packs", type: "variable" }).id;
      pack = wc.createVariation(parent, { attributes: [{ name: "Pack", option: "2" }] }).id;
      single = wc.createVariation(parent, { attributes: [{ name: "Pack", option: "1" }] }).id;
      await mapProduct(s, accountId, { storeId: store.id, productId: String(simple), poolId }, actor);
      await mapProduct(s, accountId, { storeId: store.id, productId: String(parent), variantId: String(pack), poolId, unitsPerItem: 2 }, actor);
      await mapProduct(s, accountId, { storeId: store.id, productId: String(parent), variantId: String(single), poolId }, actor);
    });
    afterAll(async () => {
      await s?.cleanup();
      await wc?.close();
    });

    it("a new mapping, an import and an allocation move the host's stock (floor of keys per item)", async () => {
      await runStockSyncs(s);
      expect(hostStock()).toEqual([0, 0, 0]);
      expect(wc.getStock(simple).manage_stock).toBe(true);
      await stockPool(s, accountId, poolId, codes(`WI${dialect}`, 11));
      await runStockSyncs(s);
      expect(hostStock()).toEqual([11, 5, 11]);
      await sell(simple, null, 3);
      await runStockSyncs(s);
      expect(hostStock()).toEqual([8, 4, 8]);
      const m = await mappingOf(parent, pack);
      expect(m).toMatchObject({ last_synced_quantity: 4, last_sync_error: null, status: "active" });
      expect(m.last_synced_at).toBeTruthy();
    });

    it("shows 0 while backorders wait, and the level again once they are filled", async () => {
      await sell(simple, null, 10); // 8 in stock: 2 units wait
      await runStockSyncs(s);
      expect(hostStock()).toEqual([0, 0, 0]);
      await stockPool(s, accountId, poolId, codes(`WB${dialect}`, 7));
      // The import asks for the backorders to be filled first; the host then shows what is left.
      const fill = await s.db.selectFrom("jobs").select("id").where("queue", "=", "fill-backorders").where("status", "=", "pending").orderBy("id", "desc").executeTakeFirstOrThrow();
      await s.jobs.runJob(Number(fill.id));
      await runStockSyncs(s);
      expect(hostStock()).toEqual([5, 2, 5]);
    });

    it("1,000 orders within one window: at most one stock write per mapping per window", async () => {
      await stockPool(s, accountId, poolId, codes(`WK${dialect}`, 1000));
      await runStockSyncs(s);
      expect(hostStock()).toEqual([1005, 502, 1005]);
      const before = await syncJobCount(s);
      wc.resetRequests();
      await inParallel(Array.from({ length: 1000 }), 8, () => sell(simple, null, 1));
      const windows = (await syncJobCount(s)) - before;
      // One pending job per window (two if the burst straddled a window boundary), not 1,000.
      expect(windows).toBeGreaterThanOrEqual(1);
      expect(windows).toBeLessThanOrEqual(2);
      expect(wc.count("POST /products/batch")).toBe(0); // nothing written before the window closed
      await runStockSyncs(s);
      expect(hostStock()).toEqual([5, 2, 5]);
      expect(wc.count("POST /products/batch")).toBeLessThanOrEqual(windows);
      expect(wc.count("POST /products/:id/variations/batch")).toBeLessThanOrEqual(windows);
      expect(wc.count("POST /products/batch")).toBeGreaterThanOrEqual(1);
    });

    it("waits out a 429 with Retry-After: the job comes back no sooner than the store asked", async () => {
      wc.failNext(1, { status: 429, retryAfter: 7, route: "POST /products/batch" });
      await sell(simple, null, 1);
      await runStockSyncs(s, { rounds: 1 });
      const job = await s.db.selectFrom("jobs").selectAll().where("queue", "=", "sync-stock").where("status", "=", "pending").executeTakeFirstOrThrow();
      expect(job.last_error).toContain("429");
      expect(Date.parse(job.run_at) - Date.parse(job.updated_at)).toBeGreaterThanOrEqual(7000);
      expect((await mappingOf(simple, null)).last_sync_error).toMatch(/^retrying: .*429/);
      await runStockSyncs(s);
      expect(hostStock()).toEqual([4, 2, 4]);
      expect((await mappingOf(simple, null)).last_sync_error).toBeNull();
    });

    it("a variation deleted on the store marks its mapping broken; the other mappings still sync", async () => {
      wc.deleteVariation(single);
      await sell(simple, null, 2);
      await runStockSyncs(s);
      expect(wc.getStock(simple).stock_quantity).toBe(2);
      expect(wc.getStock(parent, pack).stock_quantity).toBe(1);
      const broken = await mappingOf(parent, single);
      expect(broken.status).toBe("broken");
      expect(broken.last_sync_error).toContain("woocommerce_rest_product_variation_invalid_id");
      expect(await s.db.selectFrom("audit_log").select("id").where("action", "=", "mapping.sync_broken").where("subject_id", "=", broken.id).execute()).toHaveLength(1);
      // Later syncs leave the broken mapping alone (no request for it) until the merchant acts.
      wc.resetRequests();
      await sell(simple, null, 1);
      await runStockSyncs(s);
      expect(wc.count("POST /products/:id/variations/batch")).toBe(1);
      const status = await getStockSyncStatus(s, accountId);
      expect(status.stores[0]).toMatchObject({ storeId: store.id, mappings: 3, synced: 2, broken: 1, failing: 0 });
    });

    it("repairs stock edited by hand on the store, logging and auditing the correction", async () => {
      wc.setStock(simple, null, 999);
      expect(await scheduleStockDriftRepair(s)).toBe(1);
      // Another worker's schedule within the same interval asks for nothing more.
      expect(await scheduleStockDriftRepair(s)).toBe(0);
      await runStockSyncs(s);
      expect(wc.getStock(simple).stock_quantity).toBe(1);
      const m = await mappingOf(simple, null);
      const audit = await s.db.selectFrom("audit_log").select("details").where("action", "=", "stock.drift_corrected").where("subject_id", "=", m.id).execute();
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0].details!)).toMatchObject({ found: 999, set: 1, lastSynced: 1 });
      expect(s.logLines.some((l) => l.includes("stock drift corrected") && l.includes(m.id))).toBe(true);
      // Only the edited item was a correction: the items the host already agreed on were left alone.
      expect(await s.db.selectFrom("audit_log").select("id").where("action", "=", "stock.drift_corrected").execute()).toHaveLength(1);
    });

    it("store-wide stock management off: the store is flagged and the mapping says why; fixed, it clears", async () => {
      wc.setSetting("woocommerce_manage_stock", "no");
      await sell(simple, null, 1);
      await runStockSyncs(s);
      expect((await s.db.selectFrom("stores").select("attention").where("id", "=", store.id).executeTakeFirstOrThrow()).attention).toBe("manage_stock_off");
      expect((await mappingOf(simple, null)).last_sync_error).toContain("stock management");
      wc.setSetting("woocommerce_manage_stock", "yes");
      await stockPool(s, accountId, poolId, codes(`WM${dialect}`, 4));
      await runStockSyncs(s);
      expect(wc.getStock(simple).stock_quantity).toBe(4);
      expect((await s.db.selectFrom("stores").select("attention").where("id", "=", store.id).executeTakeFirstOrThrow()).attention).toBeNull();
      expect((await mappingOf(simple, null)).last_sync_error).toBeNull();
    });
  });
}
