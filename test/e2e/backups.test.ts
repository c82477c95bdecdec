import fs from "node:fs";
import path from "node:path";
import { type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, launchChromium } from "../support/e2e-browser.ts";

/**
 * Scheduled backups as an operator runs them: the built app started with BACKUP_INTERVAL_HOURS
 * makes its first backup at start, /readyz reports it, and the dashboard shows it (en, zh-CN).
 */
const EMAIL = "owner@example.com";
const PASSWORD = "correct horse battery staple";
const shots = path.join(projectRoot, "test-results/e2e");

let app: E2eApp;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production", BACKUP_INTERVAL_HOURS: "24", BACKUP_KEEP: "3" } });
  await createAdmin(app, { email: EMAIL, password: PASSWORD });
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function signedIn(lang: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 }, locale: lang, extraHTTPHeaders: { "Accept-Language": lang } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel(/^(Email|邮箱)$/).fill(EMAIL);
  await page.getByLabel(/^(Password|密码)$/).fill(PASSWORD);
  await page.getByRole("button", { name: /^(Sign in|登录)$/ }).click();
  await page.waitForURL(/\/admin\/?$/);
  await hydrated(page);
  return page;
}

describe("scheduled backups in the running app", () => {
  it("the first backup is made at start, verified, and reported by /readyz", async () => {
    const dir = path.join(app.dataDir, "backups");
    let ready: { backup?: { state: string } } = {};
    for (let i = 0; i < 100 && ready.backup?.state !== "ok"; i++) {
      ready = await (await fetch(`${app.url}/readyz`)).json();
      if (ready.backup?.state !== "ok") await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready).toMatchObject({ ready: true, backup: { state: "ok" } });
    const files = fs.readdirSync(dir);
    expect(files.filter((f) => f.endsWith(".sqlite"))).toHaveLength(1);
    const v = await app.cli(["backup", "verify", path.join(dir, files.find((f) => f.endsWith(".sqlite"))!), "--json"]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  }, 60_000);

  it("the dashboard shows it, in English and in Chinese", async () => {
    const en = await signedIn("en-US");
    await expect.poll(() => en.getByText("Backed up").count()).toBeGreaterThan(0);
    expect(await en.getByText(/^Last backup: /).count()).toBe(1);
    expect(await en.getByText("A backup every 24 hours; the newest are kept in BACKUP_DIR.").count()).toBe(1);
    await en.screenshot({ path: path.join(shots, "dashboard-backup-en.png"), fullPage: true });
    const zh = await signedIn("zh-CN");
    await expect.poll(() => zh.getByText("已备份").count()).toBeGreaterThan(0);
    expect(await zh.getByText(/^最近一次备份：/).count()).toBe(1);
    await zh.screenshot({ path: path.join(shots, "dashboard-backup-zh-CN.png"), fullPage: true });
  }, 90_000);
});
