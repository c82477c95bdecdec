import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { signIn } from "../support/e2e-sign-in.ts";

/**
 * A reseller's page in Chromium, the account set up by the CLI (a pool of keys, a reseller): from
 * the Resellers list the merchant opens the reseller, tops up its balance (a wrong amount first:
 * the error is at the field and names the currency), prices the pool (a wrong price first) and
 * creates an API token, shown once. The token buys two keys over the API; the order is on the
 * reseller's page and in Orders with the reseller's badge, under the "Reseller orders" filter.
 * The same in Chinese. Screenshots under test-results/e2e.
 */

const EMAIL = "wholesale@example.com";
const PASSWORD = "correct horse battery staple";
const shots = path.join(projectRoot, "test-results/e2e");
const CODES = Array.from({ length: 6 }, (_, i) => `WHOLESALE-2026-${String(i).padStart(4, "0")}`);
const RAW_KEY = /\b(resellers|orders|nav|errors)\.[a-zA-Z]/;

let app: E2eApp;
let pages: E2ePages;
let poolId: string;
let resellerId: string;

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const r = await app.cli([...args, "--json"]);
  if (r.code !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

async function readableText(page: Page): Promise<string> {
  return page.evaluate(() => [document.title, document.body.innerText, ...[...document.querySelectorAll("[aria-label],[placeholder],[title]")].map((el) => el.getAttribute("aria-label") ?? el.getAttribute("placeholder") ?? el.getAttribute("title") ?? "")].join("\n"));
}

/** Nothing sticks out of the page sideways (a table or a token too wide for its card). */
async function noHorizontalOverflow(page: Page): Promise<void> {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(over).toBeLessThanOrEqual(0);
}

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production" } });
  await createAdmin(app, { email: EMAIL, password: PASSWORD, accountName: "Ada's keys" });
  poolId = String(((await cli(["pool", "create", "--name", "Game card 100"])) as { id: string }).id);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-e2e-reseller-")), "keys.txt");
  fs.writeFileSync(file, CODES.join("\n") + "\n");
  await cli(["keys", "import", "--pool", poolId, file]);
  resellerId = ((await cli(["reseller", "create", "--name", "Downstream Games", "--email", "ops@downstream.example", "--currency", "USD"])) as { reseller: { id: string } }).reseller.id;
  pages = await E2ePages.launch(app.url);
}, 120_000);

afterAll(async () => {
  await pages?.close();
  if (process.env.E2E_DEBUG) console.log(app?.output());
  await app?.stop();
});

describe("a reseller's page in the standalone admin", () => {
  let token = "";

  it("opens from the list; top-up, price and token, each with its field error first", async () => {
    const page = await pages.open({ acceptLanguage: "en-US" });
    await signIn(page, { email: EMAIL, password: PASSWORD });
    await hydrated(page);
    await page.getByRole("link", { name: "Resellers" }).first().click();
    await page.waitForURL((u) => u.pathname === "/admin/resellers");
    await hydrated(page);
    await page.getByRole("link", { name: "Downstream Games" }).click();
    await page.waitForURL((u) => u.pathname === `/admin/resellers/${resellerId}`);
    await hydrated(page);
    await page.getByRole("heading", { name: "Downstream Games" }).waitFor();

    // Top up: three decimals is not an amount in USD; the error is at the field.
    const amount = page.getByLabel("Amount (USD)");
    await amount.fill("12.505");
    await page.getByRole("button", { name: "Top up", exact: true }).click();
    await page.getByText("Enter an amount in USD with at most 2 decimals, such as 12.50.").waitFor();
    await amount.fill("500");
    await page.getByLabel("Note (optional)").fill("Wire 2026-12-07");
    await page.getByRole("button", { name: "Top up", exact: true }).click();
    await page.getByText("Balance topped up.").waitFor();
    await page.getByRole("row", { name: /Wire 2026-12-07/ }).waitFor();
    await expect.poll(() => readableText(page)).toContain("$500.00");

    // Price: text is refused at the field; 12.50 is stored as 1250 cents and listed.
    const price = page.getByLabel("Price per key (USD)");
    await price.fill("twelve");
    await page.getByRole("button", { name: "Set price" }).click();
    await page.getByText("Enter an amount in USD with at most 2 decimals, such as 12.50.").waitFor();
    await price.fill("12.50");
    await page.getByRole("button", { name: "Set price" }).click();
    await page.getByText("Price saved.").waitFor();
    await page.getByRole("row", { name: /Game card 100.*\$12\.50/ }).waitFor();

    // Token: no scope is refused; then shown once.
    for (const sc of ["catalog:read", "orders:read", "orders:write", "balance:read"]) await page.getByLabel(sc, { exact: true }).uncheck();
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByText("Choose at least one scope.").waitFor();
    for (const sc of ["catalog:read", "orders:write"]) await page.getByLabel(sc, { exact: true }).check();
    await page.getByLabel("Name (optional)").fill("Shop sync");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByText("It is shown only this once", { exact: false }).waitFor();
    token = await page.getByLabel("API token", { exact: true }).inputValue();
    expect(token).toMatch(/^kr_live_/);
    await page.getByText("Shop sync", { exact: true }).waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await noHorizontalOverflow(page);
    await page.screenshot({ path: path.join(shots, "reseller-detail-en.png"), fullPage: true });

    // A reload shows the token's prefix, never the token.
    await page.reload();
    await hydrated(page);
    expect(await page.content()).not.toContain(token);
  });

  it("the token buys keys over the API: the order is on the reseller's page and in Orders with its badge and filter", async () => {
    const res = await fetch(`${app.url}/api/v1/orders`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": "e2e-order-1" },
      body: JSON.stringify({ pool: poolId, quantity: 2, reference: "DS-1001" }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const page = await pages.open({ acceptLanguage: "en-US" });
    await signIn(page, { email: EMAIL, password: PASSWORD });
    await page.goto(`/admin/resellers/${resellerId}`);
    await hydrated(page);
    await page.getByRole("link", { name: "DS-1001", exact: true }).waitFor();
    // $500 − 2 × $12.50.
    await expect.poll(() => readableText(page)).toContain("$475.00");
    // The ledger's debit names the order by its reference.
    await page.getByRole("link", { name: "Order DS-1001" }).waitFor();

    await page.goto("/admin/orders");
    await hydrated(page);
    await page.getByText("Reseller · Downstream Games").waitFor();
    await page.getByRole("link", { name: "Retail" }).click();
    await page.waitForURL((u) => u.search === "?channel=retail");
    await hydrated(page);
    await page.getByText("No orders yet", { exact: false }).waitFor();
    await page.getByRole("link", { name: "Reseller orders" }).click();
    await page.waitForURL((u) => u.search === "?channel=reseller");
    await hydrated(page);
    await page.getByText("Reseller · Downstream Games").waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await noHorizontalOverflow(page);
    await page.screenshot({ path: path.join(shots, "reseller-orders-en.png"), fullPage: true });
    // The order opens as an order.
    await page.getByRole("link", { name: "DS-1001", exact: true }).click();
    await page.waitForURL((u) => /^\/admin\/orders\/[0-9a-f-]{36}$/.test(u.pathname));
    await hydrated(page);
    await settled(page);
    await page.screenshot({ path: path.join(shots, "reseller-order-page-en.png"), fullPage: true });
  });

  it("reads in Chinese: top-up, price change and a token", async () => {
    const page = await pages.open({ acceptLanguage: "zh-CN" });
    await signIn(page, { email: EMAIL, password: PASSWORD });
    await hydrated(page);
    await page.getByRole("link", { name: "分销商" }).first().click();
    await page.waitForURL((u) => u.pathname === "/admin/resellers");
    await hydrated(page);
    await page.getByRole("link", { name: "Downstream Games" }).click();
    await page.waitForURL((u) => u.pathname === `/admin/resellers/${resellerId}`);
    await hydrated(page);
    const amount = page.getByLabel("金额（USD）");
    await amount.fill("1,00");
    await page.getByRole("button", { name: "充值", exact: true }).click();
    await page.getByText("请输入 USD 金额，最多 2 位小数，例如 12.50。").waitFor();
    await amount.fill("100");
    await page.getByRole("button", { name: "充值", exact: true }).click();
    await page.getByText("充值成功。").waitFor();
    await page.getByLabel("卡密库").selectOption({ label: "Game card 100（已在价格表中：修改价格）" });
    await page.getByLabel("每个卡密的价格（USD）").fill("11.00");
    await page.getByRole("button", { name: "设置价格" }).click();
    await page.getByText("价格已保存。").waitFor();
    await page.getByRole("button", { name: "创建令牌" }).click();
    await page.getByText("令牌只显示这一次", { exact: false }).waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await noHorizontalOverflow(page);
    await page.screenshot({ path: path.join(shots, "reseller-detail-zh-CN.png"), fullPage: true });

    await page.goto("/admin/orders?channel=reseller");
    await hydrated(page);
    await page.getByText("分销 · Downstream Games").waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "reseller-orders-zh-CN.png"), fullPage: true });
    expect(pages.pageErrors).toEqual([]);
  });

  it("fits a phone: the page stacks, nothing sticks out sideways", async () => {
    const page = await pages.open({ acceptLanguage: "en-US", viewport: { width: 390, height: 844 } });
    await signIn(page, { email: EMAIL, password: PASSWORD });
    await page.goto(`/admin/resellers/${resellerId}`);
    await hydrated(page);
    await page.getByRole("heading", { name: "Downstream Games" }).waitFor();
    await settled(page);
    await noHorizontalOverflow(page);
    await page.screenshot({ path: path.join(shots, "reseller-detail-phone-en.png"), fullPage: true });
  });
});
