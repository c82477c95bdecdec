import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { signIn } from "../support/e2e-sign-in.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";

/**
 * Risk control in Chromium, a WooCommerce store connected and mapped by the CLI: the merchant
 * writes a rule on the rules page (a wrong condition first: the error names its column and token,
 * beside the field), back-tests it over the stored orders, adds it and pastes a block list; a paid
 * order the rule holds shows in the review queue with its facts and rule; approving it (confirm,
 * reason) delivers it — the keys are written back to the store. The same pages in Chinese, where
 * the next held order is denied.
 */

const EMAIL = "risk@example.com";
const PASSWORD = "correct horse battery staple";
const shots = path.join(projectRoot, "test-results/e2e");
const CODES = Array.from({ length: 8 }, (_, i) => `RISK-2026-AAAA-${String(i).padStart(4, "0")}`);
const RAW_KEY = /\b(risk|orders|nav|errors)\.[a-zA-Z]/;

let app: E2eApp;
let wc: FakeWooCommerce;
let pages: E2ePages;
let productId: number;
let hookId: number;

async function readableText(page: Page): Promise<string> {
  return page.evaluate(() => [document.title, document.body.innerText, ...[...document.querySelectorAll("[aria-label],[placeholder],[title]")].map((el) => el.getAttribute("aria-label") ?? el.getAttribute("placeholder") ?? el.getAttribute("title") ?? "")].join("\n"));
}

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const r = await app.cli([...args, "--json"]);
  if (r.code !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** A paid order from `email` through the store's webhook. */
async function paidOrder(email: string, quantity = 1) {
  const order = wc.createOrder({ line_items: [{ product_id: productId, quantity }], status: "processing", billing: { email, first_name: "Ada", last_name: "Buyer" } });
  expect((await wc.deliver(hookId, "order.updated", order.id)).status).toBe(200);
  return order;
}

/** Reloads until `text` is on the page (orders are processed in the background). */
async function reloadUntil(page: Page, text: string): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.reload();
        return (await readableText(page)).includes(text);
      },
      { timeout: 20_000, interval: 500 },
    )
    .toBe(true);
  await hydrated(page);
}

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  wc = await startFakeWooCommerce({ siteName: "Ada's Game Cards" });
  productId = wc.createProduct({ name: "Gift card $25", price: "25.00", sku: "GC-25" }).id;
  app = await startE2eApp({ env: { NODE_ENV: "production", HOST_REQUEST_TIMEOUT_MS: "3000" } });
  await createAdmin(app, { email: EMAIL, password: PASSWORD, accountName: "Ada's keys" });
  const pool = await cli(["pool", "create", "--name", "Gift card $25"]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-e2e-risk-")), "keys.txt");
  fs.writeFileSync(file, CODES.join("\n") + "\n");
  await cli(["keys", "import", "--pool", String(pool.id), file]);
  const store = await cli(["store", "add-woocommerce", "--url", wc.url, "--consumer-key", wc.connection.consumerKey, "--consumer-secret", wc.connection.consumerSecret]);
  await cli(["map", "--store", String(store.id), "--product", String(productId), "--pool", String(pool.id)]);
  hookId = wc.getWebhooks()[0]!.id;
  pages = await E2ePages.launch(app.url);
}, 120_000);

afterAll(async () => {
  await pages?.close();
  if (process.env.E2E_DEBUG) console.log(app?.output());
  await app?.stop();
  await wc?.close();
});

describe("risk control in the standalone admin", () => {
  it("writes a rule (a wrong one first), back-tests it, adds it, and pastes a block list", async () => {
    // An order from the domain before any rule: delivered, and what the back-test will find.
    const early = await paidOrder("early@mule.example");
    await expect.poll(() => wc.getNotes(early.id).filter((n) => n.customer_note).length, { timeout: 20_000, interval: 500 }).toBe(1);

    const page = await pages.open({ acceptLanguage: "en-US" });
    await signIn(page, { email: EMAIL, password: PASSWORD });
    await hydrated(page);
    await page.getByRole("link", { name: "Risk" }).first().click();
    await page.waitForURL((u) => u.pathname === "/admin/risk/reviews");
    await hydrated(page);
    await page.getByText("Nothing to review").waitFor();
    await page.getByRole("link", { name: "Risk rules" }).first().click();
    await page.waitForURL((u) => u.pathname === "/admin/risk/rules");
    await hydrated(page);
    // The default rules are listed.
    await page.getByText("Block list", { exact: true }).waitFor();

    const when = page.getByLabel("When", { exact: true });
    await when.fill("email_domian = mule.example");
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByText("Unknown attribute “email_domian” at column 1").waitFor();
    await when.fill("email_domain = mule.example and keys > -1");
    await page.getByRole("button", { name: "Test this rule" }).click();
    await page.getByText("“-1” at column 40 is not a whole number of 0 or more").waitFor();

    await when.fill("email_domain = mule.example");
    await page.getByRole("button", { name: "Test this rule" }).click();
    await page.getByText("Would have matched 1 of the 1 orders placed: 1 key,", { exact: false }).waitFor();
    await page.getByText("early@mule.example", { exact: false }).waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(shots, "risk-backtest-en.png"), fullPage: true });
    await page.getByLabel("Name", { exact: true }).fill("Mule domain");
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByText("Rule added: rule set version 2.").waitFor();
    await page.getByRole("listitem").filter({ hasText: "Mule domain" }).waitFor();

    await page.getByLabel("Values, one per line").fill("203.0.113.7\n198.51.100.0/33\n");
    await page.getByLabel("Kind", { exact: true }).selectOption("ip");
    await page.getByRole("button", { name: "Add to list" }).click();
    await page.getByText("Line 2: “198.51.100.0/33” is not an IP address or CIDR range").waitFor();
    await page.getByLabel("Values, one per line").fill("203.0.113.7\n198.51.100.0/24\n");
    await page.getByLabel("Expires after").fill("7d");
    await page.getByRole("button", { name: "Add to list" }).click();
    await page.getByText("2 added, 0 updated.").waitFor();
    await page.getByRole("row", { name: /198\.51\.100\.0\/24/ }).waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "risk-rules-en.png"), fullPage: true });
  });

  it("an order the rule holds shows in the queue with its facts and rule; approve (confirm, reason) delivers it", async () => {
    const order = await paidOrder("mule@mule.example", 2);
    const page = await pages.open({ acceptLanguage: "en-US" });
    await signIn(page, { email: EMAIL, password: PASSWORD });
    await hydrated(page);
    // The dashboard says it is waiting.
    await reloadUntil(page, "1 order waiting for review");
    await settled(page);
    await page.screenshot({ path: path.join(shots, "risk-dashboard-en.png") });
    await page.getByRole("link", { name: "Open the review queue" }).click();
    await page.waitForURL((u) => u.pathname === "/admin/risk/reviews");
    await hydrated(page);
    await page.getByText("mule@mule.example", { exact: false }).first().waitFor();
    await page.getByText("Mule domain", { exact: true }).waitFor();
    await page.getByText("email_domain = mule.example", { exact: true }).waitFor();
    // Held: nothing written to the store.
    expect(wc.getNotes(order.id)).toEqual([]);
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    for (const c of CODES) expect(await readableText(page)).not.toContain(c);
    await page.screenshot({ path: path.join(shots, "risk-reviews-en.png"), fullPage: true });

    await page.getByRole("button", { name: `Approve #${order.number ?? order.id}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(`Approve #${order.number ?? order.id}?`).waitFor();
    // No reason, no approval.
    expect(await dialog.getByRole("button", { name: "Approve", exact: true }).isDisabled()).toBe(true);
    await dialog.getByLabel("Reason").fill("Known buyer, checked by phone");
    await settled(page);
    await page.screenshot({ path: path.join(shots, "risk-approve-modal-en.png") });
    await dialog.getByRole("button", { name: "Approve", exact: true }).click();
    await page.getByText("Approved 1 order: it is being delivered.").waitFor();
    await page.getByText("Nothing to review").waitFor();
    // Delivered: the two keys are written back to the store's order.
    await expect.poll(() => wc.getNotes(order.id).filter((n) => n.customer_note).length, { timeout: 20_000, interval: 500 }).toBe(1);
    const note = wc.getNotes(order.id).find((n) => n.customer_note)!.note;
    expect(note.match(/RISK-2026-AAAA-\d{4}/g)).toHaveLength(2);

    // The order page says it was approved after review, with the reason.
    await page.goto("/admin/orders");
    await hydrated(page);
    await page.getByRole("link", { name: `#${order.number ?? order.id}` }).click();
    await page.waitForURL((u) => /^\/admin\/orders\/[0-9a-f-]{36}$/.test(u.pathname));
    await hydrated(page);
    await page.getByText("Approved after review", { exact: false }).waitFor();
    await page.getByText("Reason: Known buyer, checked by phone").waitFor();
    await page.getByText("Approved after risk review", { exact: true }).waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(shots, "risk-order-approved-en.png") });
    expect(pages.pageErrors).toEqual([]);
  });

  it("the same pages read in Chinese; a held order is denied and its keys go back to stock", async () => {
    const order = await paidOrder("second@mule.example");
    const page = await pages.open({ acceptLanguage: "zh-CN" });
    await signIn(page, { email: EMAIL, password: PASSWORD });
    await hydrated(page);
    await page.getByRole("link", { name: "风控" }).first().click();
    await page.waitForURL((u) => u.pathname === "/admin/risk/reviews");
    await reloadUntil(page, "second@mule.example");
    await page.getByText("拦截原因").first().waitFor();
    await settled(page);
    const text = await readableText(page);
    expect(text).not.toMatch(RAW_KEY);
    expect(text).toContain("审核队列");
    await page.screenshot({ path: path.join(shots, "risk-reviews-zh-CN.png"), fullPage: true });

    await page.getByRole("button", { name: `拒绝 #${order.number ?? order.id}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("原因").fill("盗刷");
    // Also refunded on the store: the refund box ticks the cancel box with it.
    await dialog.getByLabel("退还付款").check();
    expect(await dialog.getByLabel("同时在店铺取消该订单").isChecked()).toBe(true);
    await settled(page);
    await page.screenshot({ path: path.join(shots, "risk-deny-modal-zh-CN.png") });
    await dialog.getByRole("button", { name: "拒绝", exact: true }).click();
    await page.getByText("已拒绝 1 个订单，1 个卡密已退回库存。").waitFor();
    await page.getByText("暂无待审核订单").waitFor();
    expect(wc.getNotes(order.id).filter((n) => n.customer_note)).toEqual([]);
    // The cancel-host-order job refunds the order on WooCommerce, restock left unticked.
    await expect.poll(() => wc.refundRequests(order.id).map((r) => r.apiRestock), { timeout: 15_000 }).toEqual([false]);

    await page.getByRole("link", { name: "风控规则" }).first().click();
    await page.waitForURL((u) => u.pathname === "/admin/risk/rules");
    await hydrated(page);
    await page.getByLabel("条件", { exact: true }).fill("ip_country = XX");
    await page.getByRole("button", { name: "添加规则" }).click();
    await page.getByText("第 14 列的“XX”不是两位国家/地区代码", { exact: false }).waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "risk-rules-zh-CN.png"), fullPage: true });
    expect(pages.pageErrors).toEqual([]);
  });
});
