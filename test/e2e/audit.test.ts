import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { signIn } from "../support/e2e-sign-in.ts";

/**
 * The Audit log page in Chromium: the rows the CLI and the sign-in wrote, a filter applied from
 * the form, the same page in Chinese. Screenshots: audit-en.png, audit-zh-CN.png.
 */

const ADMIN = { email: "audit@example.com", password: "Quasar-Tangerine-Wobble-8142" };
const shots = path.join(projectRoot, "test-results/e2e");
const RAW_KEY = /\b(audit|nav|errors)\.[a-zA-Z]+\.[a-zA-Z]/;

let app: E2eApp;
let pages: E2ePages;

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production" } });
  await createAdmin(app, { ...ADMIN, accountName: "Acme Keys" });
  for (const name of ["Steam $20", "PSN ¥100"]) expect((await app.cli(["pool", "create", "--name", name, "--json"])).code).toBe(0);
  expect((await app.cli(["settings", "set", "account.timezone", "Asia/Shanghai", "--json"])).code).toBe(0);
  pages = await E2ePages.launch(app.url);
}, 120_000);

afterAll(async () => {
  await pages?.close();
  await app?.stop();
});

describe("the Audit log page", () => {
  it("lists who did what in English, from the navigation, and filters by actor type", async () => {
    const page = await pages.open({ viewport: { width: 1280, height: 900 } });
    await signIn(page, ADMIN);
    await hydrated(page);
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL((u) => u.pathname === "/admin/audit");
    await hydrated(page);
    await page.getByRole("heading", { name: "Audit log", exact: true }).waitFor();
    await page.locator("table").getByText("Pool: created").first().waitFor();
    await page.locator("table").getByText("Settings changed").first().waitFor();
    await page.locator("table").getByText(/Admin: audit@example\.com/).first().waitFor();
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toMatch(RAW_KEY);
    expect(text).toContain("Asia/Shanghai");
    await settled(page);
    await page.screenshot({ path: path.join(shots, "audit-en.png"), fullPage: true });
    await page.getByLabel("Actor type").selectOption("admin");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((u) => u.searchParams.get("actorType") === "admin");
    await hydrated(page);
    const filtered = await page.locator("table tbody").innerText();
    expect(filtered).not.toContain("Pool: created");
    expect(filtered).toContain("audit@example.com");
  });

  it("reads the same in Chinese", async () => {
    const page = await pages.open({ acceptLanguage: "zh-CN", viewport: { width: 1280, height: 900 } });
    await signIn(page, ADMIN);
    await page.goto("/admin/audit");
    await hydrated(page);
    await page.getByRole("heading", { name: "审计日志", exact: true }).waitFor();
    await page.locator("table").getByText("已创建卡密库").first().waitFor();
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toMatch(RAW_KEY);
    await settled(page);
    await page.screenshot({ path: path.join(shots, "audit-zh-CN.png"), fullPage: true });
    expect(pages.pageErrors).toEqual([]);
  });
});
