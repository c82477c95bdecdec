import fs from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, launchChromium, settled } from "../support/e2e-browser.ts";

/**
 * The standalone admin under its Content-Security-Policy (scripts only with the response's nonce)
 * in a real browser: it signs in, hydrates, navigates client-side and submits forms, and the
 * browser reports no violation at all — no refused script, preload, style element or attribute.
 */

const EMAIL = "owner@example.com";
const PASSWORD = "correct horse battery staple";
const shots = path.join(projectRoot, "test-results/e2e");

let app: E2eApp;
let browser: Browser;
let context: BrowserContext;
const violations: string[] = [];
const pageErrors: string[] = [];
let cspHeaders = 0;

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production" } });
  await createAdmin(app, { email: EMAIL, password: PASSWORD });
  browser = await launchChromium();
  context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 800 }, locale: "en-US" });
  // Both ways a browser tells of a violation: the DOM event (with the directive) and the console.
  await context.exposeBinding("__reportCspViolation", ({ frame }, v: string) => violations.push(`${frame.url()}: ${v}`));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __reportCspViolation(v: string): void }).__reportCspViolation;
      void report(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} ${e.sample}`);
    });
  });
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await app?.stop();
});

async function newPage(): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on("response", (r) => {
    if (r.request().resourceType() === "document" && r.headers()["content-security-policy"]?.includes("'nonce-")) cspHeaders++;
  });
  return page;
}

describe("standalone admin under its Content-Security-Policy", () => {
  it("signs in, navigates client-side and submits a form with no violation", async () => {
    const page = await newPage();
    await page.goto("/login");
    await hydrated(page);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/admin");
    await page.getByText("Keys in stock").waitFor();
    await hydrated(page);

    // A marker on window survives only client-side navigation: no full page load from here on.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await page.getByRole("link", { name: "Key pools" }).click();
    await page.waitForURL((u) => u.pathname === "/admin/pools");
    await page.getByRole("link", { name: "Create pool" }).first().click();
    await page.waitForURL((u) => u.pathname === "/admin/pools/new");
    await page.getByLabel("Name", { exact: true }).fill("Steam Wallet $50");
    await page.getByLabel("Currency", { exact: true }).fill("USD");
    await page.getByRole("button", { name: "Create pool" }).click();
    await page.waitForURL((u) => /^\/admin\/pools\/[0-9a-f-]{36}$/.test(u.pathname));
    await page.getByRole("heading", { name: "Steam Wallet $50", level: 1 }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    // A reload of a page reached client-side is a fresh document with a fresh nonce.
    await page.reload();
    await hydrated(page);
    await page.getByRole("heading", { name: "Steam Wallet $50", level: 1 }).waitFor();

    // Polaris's styles apply to the server-rendered page (its stylesheet, and the inline style
    // attributes that carry its layout tokens): the page is laid out, not bare HTML.
    await settled(page);
    const looks = await page.evaluate(() => {
      const button = document.querySelector(".Polaris-Button");
      const box = document.querySelector('.Polaris-Box[style*="--pc-box-padding-block-start"]');
      return {
        buttonRadius: button ? getComputedStyle(button).borderTopLeftRadius : "no button",
        boxPadding: box ? getComputedStyle(box).paddingTop : "no box",
      };
    });
    expect(looks.buttonRadius).toMatch(/^[1-9][\d.]*px$/);
    expect(looks.boxPadding).toMatch(/^[1-9][\d.]*px$/);
    await page.screenshot({ path: path.join(shots, "admin-csp-pool.png"), fullPage: true });
  });

  it("every document came with the nonce policy, and nothing was refused or thrown", () => {
    // /login and the reload (sign-in and the rest were client-side).
    expect(cspHeaders).toBeGreaterThanOrEqual(2);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
