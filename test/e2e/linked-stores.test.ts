import fs from "node:fs";
import path from "node:path";
import { type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { projectRoot, startE2eApp, type E2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { signIn } from "../support/e2e-sign-in.ts";
import { SHOPIFY_ENV } from "../support/shopify-fixtures.ts";
import { makeServices } from "../support/test-services.ts";

/**
 * Linking a WooCommerce store to a Shopify-created account, in a real browser: the Shopify
 * merchant (signed in to the standalone admin of the account the install created) makes a link
 * code; the WooCommerce merchant, in Chinese, enters it on their own stores page; the store then
 * appears beside the shop, and "Unlink…" explains both choices before anything happens.
 */

const SHOP = "ada-keys.myshopify.com";
const SHOPIFY_ADMIN = { email: "shopify-owner@example.com", password: "correct horse battery staple" };
const WOO_ADMIN = { email: "woo-owner@example.com", password: "another horse battery staple" };
const shots = path.join(projectRoot, "test-results/e2e");
const RAW_KEY = /\b(stores|errors)\.[a-zA-Z]/;

let app: E2eApp;
let pages: E2ePages;
let code = "";

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production", ...SHOPIFY_ENV } });
  const s = await makeServices({ dialect: "sqlite", env: { ...SHOPIFY_ENV, DATA_DIR: app.dataDir } });
  try {
    const shop = await installShopifyShop(s, { shop: SHOP });
    const owner = await createAdminUser(s, { ...SHOPIFY_ADMIN, accountId: shop.account_id });
    // Linking is an owner's action; this admin is the merchant who installed the shop.
    await s.db.updateTable("admin_users").set({ role: "owner" }).where("email", "=", owner.email).execute();
    await createPool(s, shop.account_id, { name: "Steam 50" }, { type: "cli" });
    const woo = await createAdminUser(s, { ...WOO_ADMIN, accountName: "Ada's WooCommerce", locale: "zh-CN" });
    await insertStore(s.db, { accountId: woo.accountId, platform: "woocommerce", domain: "https://woo.ada-keys.example", name: "Ada Keys (WooCommerce)" });
  } finally {
    await s.cleanup();
  }
  pages = await E2ePages.launch(app.url);
});

afterAll(async () => {
  await pages?.close();
  if (process.env.E2E_DEBUG) console.log(app?.output());
  await app?.stop();
});

const newPage = (lang = "en-US") => pages.open({ acceptLanguage: lang, viewport: { width: 1280, height: 900 } });

const readableText = (page: Page) => page.evaluate(() => document.body.innerText);

describe("linking a WooCommerce store to a Shopify-created account", () => {
  let shopifyPage: Page;

  it("the Shopify merchant makes a link code", async () => {
    shopifyPage = await newPage();
    await signIn(shopifyPage, SHOPIFY_ADMIN);
    await shopifyPage.goto("/admin/stores");
    await hydrated(shopifyPage);
    await shopifyPage.getByRole("heading", { name: "Linked stores" }).waitFor();
    await shopifyPage.getByRole("button", { name: "Link another store" }).click();
    const shown = shopifyPage.getByTestId("link-code");
    await shown.waitFor();
    code = (await shown.innerText()).trim();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    await shopifyPage.getByText("It works once, until", { exact: false }).waitFor();
    await settled(shopifyPage);
    expect(await readableText(shopifyPage)).not.toMatch(RAW_KEY);
    await shopifyPage.screenshot({ path: path.join(shots, "linked-stores-code-en.png"), fullPage: true });
  });

  it("the WooCommerce merchant enters it, in Chinese; a mistyped code is refused first", async () => {
    const page = await newPage("zh-CN,zh;q=0.9");
    await signIn(page, WOO_ADMIN);
    await page.goto("/admin/stores");
    await hydrated(page);
    await page.getByRole("heading", { name: "关联到已有的 keyrelay 账户" }).waitFor();
    await page.getByLabel("关联码", { exact: true }).fill("ZZZZZ-ZZZZZ");
    await page.getByRole("button", { name: "关联店铺", exact: true }).click();
    await page.getByText("关联码无效", { exact: false }).waitFor();
    await page.getByLabel("关联码", { exact: true }).fill(code.toLowerCase());
    await page.getByRole("button", { name: "关联店铺", exact: true }).click();
    await page.getByText("Ada Keys (WooCommerce) 已关联到 ada-keys").waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "linked-stores-redeemed-zh-CN.png"), fullPage: true });
  });

  it("the WooCommerce store now sits beside the shop; Unlink explains both choices and keeping changes nothing", async () => {
    await shopifyPage.reload();
    await hydrated(shopifyPage);
    await shopifyPage.getByRole("heading", { name: "Ada Keys (WooCommerce)" }).waitFor();
    await shopifyPage.getByRole("heading", { name: SHOP }).waitFor();
    await shopifyPage.getByRole("button", { name: "Unlink Ada Keys (WooCommerce)?" }).click();
    const dialog = shopifyPage.getByRole("dialog");
    await dialog.getByRole("radio", { name: "Keep with this account" }).waitFor();
    await dialog.getByRole("radio", { name: "Split off" }).check({ force: true });
    await dialog.getByText("moves to a new keyrelay account of its own, with no pools", { exact: false }).waitFor();
    await settled(shopifyPage);
    await shopifyPage.screenshot({ path: path.join(shots, "linked-stores-unlink-en.png"), fullPage: true });
    await dialog.getByRole("radio", { name: "Keep with this account" }).check({ force: true });
    await dialog.getByRole("button", { name: "Keep with this account" }).click();
    await dialog.waitFor({ state: "detached" });
    await shopifyPage.reload();
    await hydrated(shopifyPage);
    await shopifyPage.getByRole("heading", { name: "Ada Keys (WooCommerce)" }).waitFor();
  });

  it("shows the linked stores in Chinese", async () => {
    const page = await newPage("zh-CN,zh;q=0.9");
    await signIn(page, SHOPIFY_ADMIN);
    await page.goto("/admin/stores");
    await hydrated(page);
    await page.getByRole("heading", { name: "关联店铺" }).waitFor();
    await page.getByRole("button", { name: "关联其他店铺" }).click();
    await page.getByTestId("link-code").waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "linked-stores-zh-CN.png"), fullPage: true });
  });

  it("raised no uncaught errors and no error responses but the refused code", () => {
    expect(pages.pageErrors).toEqual([]);
    expect(pages.badResponses.filter((r) => r !== "404 /favicon.ico" && r !== "400 /admin/stores.data")).toEqual([]);
  });
});
