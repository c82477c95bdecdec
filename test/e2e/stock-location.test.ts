import fs from "node:fs";
import path from "node:path";
import { type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { projectRoot, startE2eApp, type E2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { signIn } from "../support/e2e-sign-in.ts";
import { startFakeShopify, type FakeShopify } from "../support/fake-shopify.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices } from "../support/test-services.ts";

/**
 * A Shopify merchant in the standalone admin, in a real browser: the store's page lists the
 * shop's locations with the primary one in use; they choose the warehouse, save, see it saved
 * (also after a reload), and the worker sets the mapped stock there on the fake Shopify. The
 * same section in Chinese.
 */

const EMAIL = "locations@example.com";
const PASSWORD = "correct horse battery staple";
const ADMIN = { email: EMAIL, password: PASSWORD };
const SHOP = "ada-keys.myshopify.com";
const shots = path.join(projectRoot, "test-results/e2e");
const RAW_KEY = /\b(stockLocation|mapping|errors)\.[a-zA-Z]/;

let app: E2eApp;
let shopify: FakeShopify;
let pages: E2ePages;
let storeUrl = "";
let variantId = "";

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  shopify = await startFakeShopify({ shop: SHOP, accessToken: "shpat_test_token" });
  shopify.state.locationNames.set("1001", "Ada HQ");
  shopify.state.locations.add("2002");
  shopify.state.locationNames.set("2002", "Shenzhen warehouse");
  const p = shopify.createProduct({ title: "Game card", variants: [{ title: "EU", available: 0 }] });
  variantId = p.variantIds[0];
  shopify.setInventory(variantId, 0, "2002");
  const env = { ...SHOPIFY_ENV, SHOPIFY_ADMIN_API_ORIGIN: shopify.origin, HOST_REQUEST_TIMEOUT_MS: "3000" };
  app = await startE2eApp({ env: { NODE_ENV: "production", ...env } });

  // The shop as an install leaves it (store, offline token), set up beside the running app on
  // its database: a second process of the same deployment.
  const s = await makeServices({ dialect: "sqlite", env: { ...env, DATA_DIR: app.dataDir } });
  try {
    const store = await installShopifyShop(s, { shop: SHOP });
    await storeOfflineSession(s, SHOP);
    await createAdminUser(s, { email: EMAIL, password: PASSWORD, accountId: store.account_id });
    const pool = await createPool(s, store.account_id, { name: "Game card" }, { type: "cli" });
    await mapProduct(s, store.account_id, { storeId: store.id, productId: p.productId, variantId, poolId: pool.id }, { type: "cli" });
    await stockPool(s, store.account_id, pool.id, ["GAME-LOC-0001", "GAME-LOC-0002", "GAME-LOC-0003"]);
    storeUrl = `/admin/stores/${store.id}/products`;
  } finally {
    await s.cleanup();
  }
  pages = await E2ePages.launch(app.url);
});

afterAll(async () => {
  await pages?.close();
  if (process.env.E2E_DEBUG) console.log(app?.output());
  await app?.stop();
  await shopify?.close();
});

const readableText = (page: Page) => page.evaluate(() => document.body.innerText);

describe("a Shopify merchant chooses the stock location", () => {
  it("changes the location on the store's page and sees it saved; the stock goes there", async () => {
    // The import's own sync sets the primary location first.
    await expect.poll(() => shopify.inventory(variantId), { timeout: 20_000, interval: 250 }).toBe(3);
    const page = await pages.open();
    await signIn(page, ADMIN);
    await page.goto(storeUrl);
    await hydrated(page);
    await page.getByRole("heading", { name: "Stock location" }).waitFor();
    const select = page.getByLabel("Location", { exact: true });
    expect(await select.inputValue()).toBe("1001");
    expect(await page.getByRole("option", { name: "Ada HQ (primary, in use)" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Save", exact: true }).isDisabled()).toBe(true);

    await select.selectOption("2002");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Stock is now set at Shenzhen warehouse.", { exact: false }).waitFor();
    await page.getByText("Stock is set at: Shenzhen warehouse").waitFor();
    expect(await page.getByRole("option", { name: "Shenzhen warehouse (in use)" }).count()).toBe(1);
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "stock-location-en.png"), fullPage: true });

    // Saved: a fresh load shows the warehouse in use.
    await page.reload();
    await hydrated(page);
    expect(await page.getByLabel("Location", { exact: true }).inputValue()).toBe("2002");
    await page.getByText("Stock is set at: Shenzhen warehouse").waitFor();
    // The worker synced the store's mapped stock to the warehouse.
    await expect.poll(() => shopify.inventory(variantId, "2002"), { timeout: 20_000, interval: 250 }).toBe(3);
  });

  it("shows the same section in Chinese", async () => {
    const page = await pages.open({ acceptLanguage: "zh-CN,zh;q=0.9" });
    await signIn(page, ADMIN);
    await page.goto(storeUrl);
    await hydrated(page);
    await page.getByRole("heading", { name: "库存地点" }).waitFor();
    expect(await page.getByLabel("地点", { exact: true }).inputValue()).toBe("2002");
    await page.getByText("当前库存地点：Shenzhen warehouse").waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "stock-location-zh-CN.png"), fullPage: true });
  });

  it("raised no uncaught errors and no error responses", () => {
    expect(pages.pageErrors).toEqual([]);
    expect(pages.badResponses.filter((r) => r !== "404 /favicon.ico")).toEqual([]);
  });
});
