import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../app/.server/config.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { countAvailable } from "../../app/.server/db/repositories/pools-repo.ts";
import type { Store } from "../../app/.server/db/schema.ts";
import { createLogger } from "../../app/.server/logger.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import type { Services } from "../../app/.server/ports.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { startFakeShopify } from "../../test/support/fake-shopify.ts";
import { startFakeWooCommerce } from "../../test/support/fake-woocommerce.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../../test/support/shopify-fixtures.ts";
import { orderFor } from "../../test/support/stock-sync-helpers.ts";

export interface ScenarioResult {
  host: "shopify" | "woocommerce";
  variants: number;
  orders: number;
  windowMs: number;
  burstSeconds: number;
  /** Host API requests during the burst and until the host showed the final level. */
  calls: number;
  writes: number;
  reads: number;
  syncJobs: number;
  /** Longest time between an order's commit and the host showing that order's level (or lower). */
  maxLagMs: number;
  /** From the last order's commit to the host showing the final level. */
  settleMs: number;
  finalOk: boolean;
}

const actor = { type: "cli" as const };
/** The Admin API root fields stock sync uses (nodes: the inventory levels read). */
const STOCK_FIELDS = ["nodes", "inventorySetQuantities", "inventoryItemUpdate", "location", "locations"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One pool mapped to `variants` variants of one product, `orders` single-unit orders at `rate`
 * per second (4 at a time), jobs run by the real in-process worker with the real coalescing
 * window; a monitor samples the host's stock of the first variant every 10 ms.
 */
export async function runScenario(o: { host: "shopify" | "woocommerce"; variants: number; orders: number; windowMs: number; rate: number }): Promise<ScenarioResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-bench-stock-"));
  const shopify = o.host === "shopify" ? await startFakeShopify({ shop: "bench-stock.myshopify.com", accessToken: "shpat_test_token", bucketSize: 2000, restoreRate: 100 }) : null;
  const wc = o.host === "woocommerce" ? await startFakeWooCommerce() : null;
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "silent", STOCK_SYNC_WINDOW_MS: String(o.windowMs), JOBS_SWEEP_INTERVAL_MS: "1000", ...SHOPIFY_ENV };
  if (shopify) env.SHOPIFY_ADMIN_API_ORIGIN = shopify.origin;
  const s: Services = await createServices(loadConfig(env), { log: createLogger({ level: "silent" }) });
  try {
    // Only stock work runs: the orders here exist nowhere on the host, and their write-back and
    // email jobs would only add noise (and spend Shopify's rate limit) to what is measured.
    await s.jobs.startWorkers(["sync-stock", "fill-backorders"]);
    let store: Store;
    let accountId: string;
    if (shopify) {
      store = await installShopifyShop(s, { shop: shopify.shop });
      await storeOfflineSession(s, shopify.shop);
      accountId = store.account_id;
    } else {
      accountId = (await createAccount(s.db, { name: "Bench", alertEmail: "alerts@example.com" })).id;
      const c = await connectWooCommerceStore(s, accountId, { ...wc!.connection, registerWebhook: false }, actor);
      store = await s.db.selectFrom("stores").selectAll().where("id", "=", c.id).executeTakeFirstOrThrow();
    }
    const poolId = (await createPool(s, accountId, { name: "Bench pool" }, actor)).id;
    await importKeys(s, { accountId, poolId, format: "txt", actor, source: keyText(o.orders + 500) });
    let productId: string;
    let variantIds: (string | null)[];
    if (shopify) {
      const p = shopify.createProduct({ title: "Card", variants: Array.from({ length: o.variants }, (_, i) => ({ title: `V${i}` })) });
      productId = p.productId;
      variantIds = p.variantIds;
    } else if (o.variants === 1) {
      productId = String(wc!.createProduct({ name: "Card" }).id);
      variantIds = [null];
    } else {
      const parent = wc!.createProduct({ name: "Card", type: "variable" }).id;
      productId = String(parent);
      variantIds = Array.from({ length: o.variants }, (_, i) => String(wc!.createVariation(parent, { attributes: [{ name: "V", option: String(i) }] }).id));
    }
    for (const v of variantIds) await mapProduct(s, accountId, { storeId: store.id, productId, variantId: v, poolId }, actor);
    const hostLevel = () => (shopify ? shopify.inventory(variantIds[0]!) : wc!.getStock(Number(productId), variantIds[0] ? Number(variantIds[0]) : null).stock_quantity);
    const start = await countAvailable(s.db, poolId);
    await waitUntil(() => hostLevel() === start, 30_000);
    await drain(s);
    shopify?.resetRequests();
    wc?.resetRequests();
    const jobsBefore = await syncJobs(s);

    // The monitor: when did the host first show each level (levels only go down here)?
    const firstSeen = new Map<number, number>();
    let monitoring = true;
    const monitor = (async () => {
      while (monitoring) {
        const q = hostLevel();
        if (typeof q === "number" && !firstSeen.has(q)) firstSeen.set(q, performance.now());
        await sleep(10);
      }
    })();

    const commits: { at: number; level: number }[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < o.orders) {
        const i = next++;
        // Paced like a flash sale's webhooks arriving (rate per second), not a saturated
        // database: on SQLite a saturating burst leaves a sync no turn until it ends.
        const due = t0 + (i * 1000) / o.rate - performance.now();
        if (due > 0) await sleep(due);
        // Each webhook is its own I/O event: without this turn of the event loop, SQLite's
        // synchronous driver chains every order in microtasks and no timer (no job) ever runs.
        else await new Promise((r) => setImmediate(r));
        await applyHostOrder(s, store, orderFor([{ productId, variantId: variantIds[0], quantity: 1 }]));
        commits.push({ at: performance.now(), level: await countAvailable(s.db, poolId) });
      }
    }));
    const burstEnd = performance.now();
    const final = start - o.orders;
    const finalOk = await waitUntil(() => hostLevel() === final, 30_000);
    await sleep(50);
    monitoring = false;
    await monitor;
    await drain(s);

    const shownAt = (level: number) => Math.min(...[...firstSeen].filter(([q]) => q <= level).map(([, t]) => t));
    const lags = commits.map((c) => shownAt(c.level) - c.at).filter(Number.isFinite);
    const writes = shopify ? shopify.requestCount("inventorySetQuantities") : wc!.count("POST /products/batch") + wc!.count("POST /products/:id/variations/batch");
    const calls = shopify ? STOCK_FIELDS.reduce((n, f) => n + shopify.requestCount(f), 0) : wc!.count("POST /products/batch") + wc!.count("POST /products/:id/variations/batch") + wc!.count("GET /products") + wc!.count("GET /products/:id/variations");
    return {
      host: o.host,
      variants: o.variants,
      orders: o.orders,
      windowMs: o.windowMs,
      burstSeconds: Math.round((burstEnd - t0) / 100) / 10,
      calls,
      writes,
      reads: calls - writes,
      syncJobs: (await syncJobs(s)) - jobsBefore,
      maxLagMs: Math.round(Math.max(0, ...lags)),
      settleMs: Math.round(shownAt(final) - burstEnd),
      finalOk,
    };
  } finally {
    await s.close();
    await shopify?.close();
    await wc?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function* keyText(n: number) {
  yield new TextEncoder().encode(Array.from({ length: n }, (_, i) => `BENCH-STOCK-${String(i).padStart(7, "0")}`).join("\n") + "\n");
}

async function waitUntil(fn: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (fn()) return true;
    await sleep(10);
  }
  return false;
}

async function syncJobs(s: Services): Promise<number> {
  const r = await s.db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("queue", "=", "sync-stock").executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Waits until no sync is pending or running (so the next phase starts clean). */
async function drain(s: Services): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = await s.db.selectFrom("jobs").select("id").where("queue", "=", "sync-stock").where("status", "in", ["pending", "running"]).limit(1).executeTakeFirst();
    if (!r) return;
    await sleep(50);
  }
}
