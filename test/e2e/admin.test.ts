import fs from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { launchChromium, hydrated } from "../support/e2e-browser.ts";

/**
 * The standalone admin in a real browser (Debian's Chromium), against the production build
 * started the way an operator starts it, with the first admin created through the CLI.
 */

const EMAIL = "owner@example.com";
const PASSWORD = "correct horse battery staple";
const shots = path.join(projectRoot, "test-results/e2e");

let app: E2eApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Uncaught errors in any page (a failed hydration shows up here). */
const pageErrors: string[] = [];
/** Every 4xx/5xx answer any page received, as "status path". */
const badResponses: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production" } });
  const created = await createAdmin(app, { email: EMAIL, password: PASSWORD });
  expect(created).toMatchObject({ email: EMAIL });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await app?.stop();
});

async function newPage(opts: { acceptLanguage?: string } = {}): Promise<Page> {
  const lang = opts.acceptLanguage ?? "en-US";
  const context = await browser.newContext({
    baseURL: app.url,
    viewport: { width: 1280, height: 800 },
    locale: lang.split(",")[0],
    extraHTTPHeaders: { "Accept-Language": lang },
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) badResponses.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  return page;
}

/** Hydrated and still: no CSS transition or animation running (Polaris fades skeletons out). */
async function settled(page: Page): Promise<void> {
  await hydrated(page);
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"), undefined, { polling: 100 });
}

async function signIn(page: Page, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel(/^(Email|邮箱)$/).fill(EMAIL);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole("button", { name: /^(Sign in|登录)$/ }).click();
}

/** Opens the top bar's user menu (the button showing the email) and picks an item. */
async function chooseFromUserMenu(page: Page, item: string | RegExp): Promise<void> {
  await hydrated(page);
  const menuItem = page.getByRole("menuitem", { name: item });
  await page.getByRole("button", { name: new RegExp(EMAIL.replace(/\./g, "\\.")) }).click();
  await menuItem.waitFor({ state: "visible" });
  await menuItem.click();
}

/** All text a reader can see or hear: rendered text plus labelling attributes. */
async function readableText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const attrs = ["title", "aria-label", "placeholder", "alt"];
    const fromAttrs = attrs.flatMap((a) => [...document.querySelectorAll(`[${a}]`)].map((el) => el.getAttribute(a) ?? ""));
    return [document.title, document.body.innerText, ...fromAttrs].join("\n");
  });
}

async function noHorizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}

const RAW_KEY = /\b(app|dashboard|errors|nav|login|cli|locale)\.[a-zA-Z]/;

describe("standalone admin in a browser", () => {
  it("redirects to /login, rejects a wrong password, and signs in to the dashboard", async () => {
    const page = await newPage();
    await page.goto("/admin");
    expect(new URL(page.url()).pathname).toBe("/login");
    await expect(page.getByRole("heading", { name: "Sign in to keyrelay" }).isVisible()).resolves.toBe(true);

    await signIn(page, "not the password");
    await page.getByText("Wrong email or password.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/admin");
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    await page.getByText("Keys in stock").waitFor();
    await page.getByText("Get started").waitFor();
    await settled(page);
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    await page.screenshot({ path: path.join(shots, "dashboard-en.png"), fullPage: true });
  });

  it("switches the admin to 简体中文 from the user menu", async () => {
    const page = await newPage();
    await signIn(page);
    await page.waitForURL((u) => u.pathname === "/admin");
    await chooseFromUserMenu(page, "简体中文");
    await page.getByRole("heading", { name: "概览", level: 1 }).waitFor();
    await page.getByText("卡密库存").waitFor();
    await settled(page);
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");

    const text = await readableText(page);
    expect(text).not.toMatch(RAW_KEY);
    expect(text).not.toContain("Keys in stock");
    const { scrollWidth, innerWidth } = await noHorizontalOverflow(page);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await page.screenshot({ path: path.join(shots, "dashboard-zh-CN.png"), fullPage: true });

    // A phone: the navigation folds away and nothing sticks out sideways either.
    await page.setViewportSize({ width: 390, height: 844 });
    await settled(page);
    const narrow = await noHorizontalOverflow(page);
    expect(narrow.scrollWidth).toBeLessThanOrEqual(narrow.innerWidth);
    await page.screenshot({ path: path.join(shots, "dashboard-zh-CN-mobile.png"), fullPage: true });

    // The choice is the admin's own: a new sign-in from an English browser keeps Chinese.
    const other = await newPage({ acceptLanguage: "en-US" });
    await signIn(other);
    await other.getByRole("heading", { name: "概览", level: 1 }).waitFor();
  });

  it("shows the login page in Chinese to a browser that asks for zh-CN", async () => {
    const page = await newPage({ acceptLanguage: "zh-CN,zh;q=0.9" });
    await page.goto("/login");
    await page.getByRole("heading", { name: "登录 keyrelay" }).waitFor();
    await settled(page);
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
    await page.getByRole("button", { name: "登录" }).waitFor();
    expect(await readableText(page)).not.toMatch(RAW_KEY);
    const { scrollWidth, innerWidth } = await noHorizontalOverflow(page);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await page.screenshot({ path: path.join(shots, "login-zh-CN.png"), fullPage: true });
  });

  it("signs out from the user menu", async () => {
    const page = await newPage();
    await signIn(page);
    await page.waitForURL((u) => u.pathname === "/admin");
    // The previous test left this admin in Chinese.
    await chooseFromUserMenu(page, /^(Sign out|退出登录)$/);
    await page.waitForURL((u) => u.pathname === "/login");
    await page.getByText("You have been signed out.").waitFor();
    // The session is gone: the admin is out of reach again.
    await page.goto("/admin");
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("raised no uncaught errors and no unexpected error responses in any page", async () => {
    expect(pageErrors).toEqual([]);
    // Expected: the wrong password's 401. The favicon 404 is known (the app ships no favicon).
    const expected = new Set(["401 /login.data", "404 /favicon.ico"]);
    expect(badResponses.filter((r) => !expected.has(r))).toEqual([]);
  });
});
