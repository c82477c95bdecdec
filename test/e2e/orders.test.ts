import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { signIn } from "../support/e2e-sign-in.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";

/**
 * A WooCommerce merchant in a real browser: connect the store through the form (a wrong key
 * first), map a product to a pool, receive a paid order by webhook, find it on the orders page,
 * see its keys masked and reveal one. The same pages in Chinese.
 */

const EMAIL = "orders@example.com";
const PASSWORD = "correct horse battery staple";
const ADMIN = { email: EMAIL, password: PASSWORD };
const shots = path.join(projectRoot, "test-results/e2e");
const CODES = ["GIFT-2025-AAAA-0001", "GIFT-2025-AAAA-0002", "GIFT-2025-AAAA-0003"];
const RAW_KEY = /\b(stores|mapping|orders|nav|errors)\.[a-zA-Z]/;

let app: E2eApp;
let wc: FakeWooCommerce;
let pages: E2ePages;
let productId: number;
let poolId: string;

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  wc = await startFakeWooCommerce({ siteName: "Ada's Game Cards" });
  productId = wc.createProduct({ name: "Gift card $25", price: "25.00", sku: "GC-25" }).id;
  wc.createProduct({ name: "T-shirt", price: "15.00", sku: "TEE" });
  app = await startE2eApp({ env: { NODE_ENV: "production", HOST_REQUEST_TIMEOUT_MS: "3000" } });
  await createAdmin(app, { email: EMAIL, password: PASSWORD });
  const pool = await app.cli(["pool", "create", "--name", "Gift card $25", "--json"]);
  if (pool.code !== 0) throw new Error(`pool create failed:\n${pool.stdout}\n${pool.stderr}`);
  poolId = JSON.parse(pool.stdout).id;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-e2e-keys-")), "keys.txt");
  fs.writeFileSync(file, CODES.join("\n") + "\n");
  const imported = await app.cli(["keys", "import", "--pool", poolId, file]);
  if (imported.code !== 0) throw new Error(`import failed:\n${imported.stdout}\n${imported.stderr}`);
  pages = await E2ePages.launch(app.url);
});

afterAll(async () => {
  await pages?.close();
  if (process.env.E2E_DEBUG) console.log(app?.output());
  await app?.stop();
  await wc?.close();
});

async function readableText(page: Page): Promise<string> {
  return page.evaluate(() => [document.title, document.body.innerText, ...[...document.querySelectorAll("[aria-label],[placeholder],[title]")].map((el) => el.getAttribute("aria-label") ?? el.getAttribute("placeholder") ?? el.getAttribute("title") ?? "")].join("\n"));
}

let storeUrl = "";
let orderUrl = "";

describe("a WooCommerce merchant in the standalone admin", () => {
  it("connects the store through the form, after a clear error for a wrong secret", async () => {
    const page = await pages.open();
    await signIn(page, ADMIN);
    await hydrated(page);
    await page.getByRole("link", { name: "Stores" }).click();
    await page.waitForURL((u) => u.pathname === "/admin/stores");
    await hydrated(page);
    await page.getByText("No store connected yet.").first().waitFor();

    await page.getByLabel("Store URL").fill(wc.url);
    await page.getByLabel("Consumer key").fill(wc.connection.consumerKey);
    await page.getByLabel("Consumer secret").fill(`cs_${"0".repeat(40)}`);
    await page.getByRole("button", { name: "Connect store" }).click();
    await page.getByText("WooCommerce rejected the consumer key or secret.", { exact: false }).waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(shots, "stores-connect-error-en.png"), fullPage: true });

    await page.getByLabel("Consumer secret").fill(wc.connection.consumerSecret);
    await page.getByRole("button", { name: "Connect store" }).click();
    await page.getByText("Ada's Game Cards is connected").waitFor();
    await page.getByText(`${app.url}/webhooks/woocommerce/`, { exact: false }).first().waitFor();
    // The secret is gone from the form and from the page.
    expect(await page.getByLabel("Consumer secret").inputValue()).toBe("");
    expect(await readableText(page)).not.toContain(wc.connection.consumerSecret);
    expect(wc.getWebhooks()).toHaveLength(1);
    // The list (revalidated) shows the store with its webhook.
    await page.getByRole("heading", { name: "Ada's Game Cards", level: 3 }).waitFor();
    await page.getByText("Registered", { exact: true }).waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "stores-en.png"), fullPage: true });

    await page.getByRole("link", { name: "Products & mapping" }).click();
    await page.waitForURL((u) => /^\/admin\/stores\/[0-9a-f-]{36}\/products$/.test(u.pathname));
    storeUrl = new URL(page.url()).pathname;
  });

  it("maps the store's product to the pool", async () => {
    const page = await pages.open();
    await signIn(page, ADMIN);
    await page.goto(storeUrl);
    await hydrated(page);
    await page.getByText("No product of this store is mapped yet.", { exact: false }).waitFor();
    await page.getByLabel("Search products").fill("Gift");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get("q") === "Gift");
    const row = page.getByRole("row", { name: /Gift card \$25/ });
    await row.waitFor();
    // The search's answer replaces the list (the URL changes first).
    await page.getByRole("row", { name: /T-shirt/ }).waitFor({ state: "detached" });
    await row.getByRole("button", { name: "Map to a pool" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Key pool").selectOption(poolId);
    await dialog.getByLabel("Keys per item sold").fill("1");
    await settled(page);
    await page.screenshot({ path: path.join(shots, "mapping-modal-en.png") });
    await dialog.getByRole("button", { name: "Save mapping" }).click();
    await page.getByText("Mapped to Gift card $25").waitFor();
    await dialog.waitFor({ state: "hidden" });
    const mapped = page.getByRole("row", { name: new RegExp(`Product ${productId} · every variant`) });
    await mapped.waitFor();
    expect((await mapped.innerText()).replace(/\s+/g, " ")).toContain("Gift card $25");
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "mapping-en.png"), fullPage: true });
  });

  it("a paid order arrives by webhook; the order page shows its keys masked and reveals one", async () => {
    const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 2 }], status: "processing", billing: { email: "buyer@example.com", first_name: "Ada", last_name: "Buyer" } });
    const [hook] = wc.getWebhooks();
    const sent = await wc.deliver(hook.id, "order.updated", order.id);
    expect(sent.status).toBe(200);

    const page = await pages.open();
    await signIn(page, ADMIN);
    await hydrated(page);
    await page.getByRole("link", { name: "Orders" }).click();
    await page.waitForURL((u) => u.pathname === "/admin/orders");
    // Processing is asynchronous: reload until the order is listed.
    const link = page.getByRole("link", { name: `#${order.number ?? order.id}` });
    await expect.poll(async () => {
      await page.reload();
      return link.count();
    }, { timeout: 20_000, interval: 500 }).toBe(1);
    await hydrated(page);

    // Search by an exact key finds it (the key is posted, not put in the URL).
    await page.getByLabel("Find an order").fill(CODES[0]);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByText("1 order received this key").waitFor();
    expect(page.url()).not.toContain(CODES[0]);
    await settled(page);
    await page.screenshot({ path: path.join(shots, "orders-en.png"), fullPage: true });

    await link.click();
    await page.waitForURL((u) => /^\/admin\/orders\/[0-9a-f-]{36}$/.test(u.pathname));
    orderUrl = new URL(page.url()).pathname;
    await hydrated(page);
    // Keys are masked; no plaintext in the page.
    await page.getByText("GIFT…0001").waitFor();
    await page.getByText("GIFT…0002").waitFor();
    const before = await readableText(page);
    for (const c of CODES) expect(before).not.toContain(c);
    // The note channel was written back to the store.
    await expect.poll(async () => {
      await page.reload();
      return (await readableText(page)).includes("Sent");
    }, { timeout: 15_000, interval: 500 }).toBe(true);
    await hydrated(page);

    await page.getByRole("button", { name: /Reveal key/ }).first().click();
    const revealed = page.getByTestId("revealed-code");
    await revealed.waitFor();
    expect(CODES).toContain((await revealed.innerText()).trim());
    await page.screenshot({ path: path.join(shots, "order-reveal-en.png") });
    await page.getByRole("button", { name: "Done" }).click();
    await revealed.waitFor({ state: "hidden" });
    // The reveal is in the order's history.
    await expect.poll(async () => {
      await page.reload();
      return /Key #\d+ revealed/.test(await readableText(page));
    }, { timeout: 10_000, interval: 500 }).toBe(true);
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "order-en.png"), fullPage: true });
  });

  it("the same pages read in Chinese", async () => {
    const page = await pages.open({ acceptLanguage: "zh-CN,zh;q=0.9" });
    await signIn(page, ADMIN);
    for (const [url, heading, shot] of [
      ["/admin/stores", "店铺", "stores-zh-CN.png"],
      [storeUrl, "商品与关联", "mapping-zh-CN.png"],
      ["/admin/orders", "订单", "orders-zh-CN.png"],
      [orderUrl, "订单 #", "order-zh-CN.png"],
    ] as const) {
      await page.goto(url);
      await page.getByRole("heading", { name: new RegExp(`^${heading}`), level: 1 }).waitFor();
      await settled(page);
      const text = await readableText(page);
      expect(text, url).not.toMatch(RAW_KEY);
      for (const c of CODES) expect(text).not.toContain(c);
      await page.screenshot({ path: path.join(shots, shot), fullPage: true });
    }
    expect(pages.pageErrors).toEqual([]);
  });
});
