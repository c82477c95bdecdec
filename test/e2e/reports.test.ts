import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../app/.server/db/database.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { signIn } from "../support/e2e-sign-in.ts";
import { writeSalesHistory } from "../support/sales-history.ts";

/**
 * The Reports page with 90 days of sales in two stores and three pools (one without a key cost):
 * KPIs, the sales chart with its axes, best sellers, margin with keys without cost flagged, the
 * forecast, a CSV export with a BOM, and the emails of repeat buyers revealed (audited). The same
 * page in Chinese. Screenshots: reports-en.png, reports-zh-CN.png.
 */

const ADMIN = { email: "reports@example.com", password: "Quasar-Tangerine-Wobble-8142" };
const shots = path.join(projectRoot, "test-results/e2e");
const RAW_KEY = /\b(reports|nav|errors)\.[a-zA-Z]/;

let app: E2eApp;
let pages: E2ePages;
let database: DatabaseHandle;
let accountId: string;

async function cliJson(args: string[]): Promise<Record<string, unknown>> {
  const r = await app.cli([...args, "--json"]);
  if (r.code !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production", REPORTS_REFRESH_INTERVAL_MS: "1000" } });
  const admin = await createAdmin(app, { ...ADMIN, accountName: "Acme Keys" });
  accountId = String(admin.accountId);
  const pool = async (name: string) => String((await cliJson(["pool", "create", "--name", name])).id);
  const steam = await pool("Steam $20");
  const psn = await pool("PSN ¥100");
  const vip = await pool("VIP membership");
  await cliJson(["settings", "set", "account.timezone", "Asia/Shanghai"]);
  database = openDatabase({ dialect: "sqlite", file: path.join(app.dataDir, "keyrelay.sqlite"), checkpointer: false });
  const a = await insertStore(database.db, { accountId, platform: "woocommerce", domain: "acme.example", name: "Acme Woo" });
  const b = await insertStore(database.db, { accountId, platform: "shopify", domain: "acme.myshopify.com", name: "Acme Shopify" });
  const today = new Date().toISOString().slice(0, 10);
  await writeSalesHistory(database.db, {
    accountId,
    storeIds: [a.id, b.id],
    pools: [
      { id: steam, weight: 5, priceMinor: 2000, costMinor: 1700, supplier: "Acme Supply", title: "Steam Wallet Code $20" },
      { id: psn, weight: 3, priceMinor: 1500, costMinor: 1100, supplier: "Dragon Wholesale" },
      { id: vip, weight: 1, priceMinor: 990, costMinor: null },
    ],
    endDay: today,
    days: 90,
    ordersPerDay: 8,
    currency: "USD",
    buyers: 200,
    seed: 7,
  });
  pages = await E2ePages.launch(app.url);
}, 120_000);

afterAll(async () => {
  await database?.close();
  await pages?.close();
  await app?.stop();
});

describe("the Reports page", () => {
  it("shows the figures, charts and tables of the last 30 days in English", async () => {
    const page = await pages.open({ viewport: { width: 1280, height: 900 } });
    await signIn(page, ADMIN);
    await hydrated(page);
    await page.getByRole("link", { name: "Reports" }).click();
    await page.waitForURL((u) => u.pathname === "/admin/reports");
    await hydrated(page);
    await page.getByRole("heading", { name: "Reports", exact: true }).waitFor();
    await page.getByText("Keys sold").waitFor();
    await page.getByRole("heading", { name: "Best sellers" }).waitFor();
    // Steam sells most; VIP has no key cost and is flagged, not counted as free.
    const best = page.locator("table").nth(0);
    await expect(best.locator("tbody tr").first().innerText()).resolves.toContain("Steam $20");
    await page.getByText(/keys have no cost in this currency/).waitFor();
    await page.getByText("Steam Wallet Code $20", { exact: true }).first().waitFor();
    await page.getByRole("heading", { name: "Delivery" }).waitFor();
    // The chart is drawn (an SVG with axis labels), the forecast has its numbers.
    await page.locator("svg text").first().waitFor();
    await page.getByText(/Runs out in about|Enough for more than|Out of stock/).first().waitFor();
    await page.getByText(/back-test error/).waitFor();
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toMatch(RAW_KEY);
    expect(text).toMatch(/\$[\d,]+\.\d{2}/);
    await settled(page);
    await page.screenshot({ path: path.join(shots, "reports-en.png"), fullPage: true });

    // Margin by supplier names the suppliers.
    await page.getByRole("link", { name: "Supplier", exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get("margin") === "supplier");
    await page.getByText("Dragon Wholesale").waitFor();

    // Reveal the repeat buyers' emails: one audited action.
    expect(text).toContain("b***@example.com");
    await page.getByRole("button", { name: "Show email addresses" }).click();
    await page.getByText(/^buyer\d+@example\.com$/).first().waitFor();
    const audit = await database.db.selectFrom("audit_log").select("action").where("account_id", "=", accountId).where("action", "=", "report.buyers_revealed").execute();
    expect(audit).toHaveLength(1);
  });

  it("exports a CSV with a byte order mark, and refuses a date that is not one, naming the field", async () => {
    const page = await pages.open();
    await signIn(page, ADMIN);
    const res = await page.request.get("/admin/reports/export?report=pools&range=30d");
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/csv");
    const body = await res.body();
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(body.toString("utf8")).toContain("Steam $20");
    await page.goto("/admin/reports?range=custom&from=2026-02-30&to=2026-03-01");
    await hydrated(page);
    await page.getByText(/from must be a date written YYYY-MM-DD/).first().waitFor();
  });

  it("reads the same in Chinese", async () => {
    const page = await pages.open({ acceptLanguage: "zh-CN", viewport: { width: 1280, height: 900 } });
    await signIn(page, ADMIN);
    await page.goto("/admin/reports?range=90d");
    await hydrated(page);
    await page.getByRole("heading", { name: "数据报表", exact: true }).waitFor();
    await page.getByText("售出卡密").waitFor();
    await page.getByText("畅销卡池").waitFor();
    await page.getByText("需求预测（未来 30 天）").waitFor();
    await page.locator("svg text").first().waitFor();
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toMatch(RAW_KEY);
    await settled(page);
    await page.screenshot({ path: path.join(shots, "reports-zh-CN.png"), fullPage: true });
    expect(pages.pageErrors).toEqual([]);
  });
});
