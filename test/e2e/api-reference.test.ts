import fs from "node:fs";
import path from "node:path";
import { type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { launchChromium } from "../support/e2e-browser.ts";

/**
 * The reseller API's reference page (/api/v1/docs) in a real browser: it renders every operation
 * of /api/v1/openapi.json, under its own Content-Security-Policy with no violation, and no request
 * leaves the app's own origin (the page is served from node_modules, never a CDN).
 */

const shots = path.join(projectRoot, "test-results/e2e");
let app: E2eApp;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production" } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe("API reference page", () => {
  it("renders every operation of the OpenAPI document and fetches nothing but this origin", async () => {
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).filter((m) => ["get", "post", "put", "patch", "delete"].includes(m)).map((m) => ({ method: m.toUpperCase(), path: p })));
    expect(operations.length).toBeGreaterThan(5);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    const requests: string[] = [];
    const violations: string[] = [];
    const pageErrors: string[] = [];
    // Every request the page makes, whatever its kind; one to any other origin fails the test.
    await context.route("**/*", (route) => {
      requests.push(route.request().url());
      return new URL(route.request().url()).origin === app.url ? route.continue() : route.abort();
    });
    await context.exposeBinding("__reportCspViolation", (_src, v: string) => violations.push(v));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => void (window as unknown as { __reportCspViolation(v: string): void }).__reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`));
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (e) => pageErrors.push(e.message));

    const res = await page.goto(`${app.url}/api/v1/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'none'");
    // Not blank: one operation block per operation of the document, each with its path.
    await page.locator(".opblock").first().waitFor();
    await page.waitForLoadState("networkidle");
    await expect.poll(() => page.locator(".opblock").count()).toBe(operations.length);
    for (const op of operations) {
      const block = page.locator(`.opblock-${op.method.toLowerCase()}`).filter({ has: page.locator(`[data-path="${op.path}"]`) });
      expect(await block.count(), `${op.method} ${op.path}`).toBe(1);
    }
    expect(await page.locator(".info .title").innerText()).toMatch(/keyrelay/i);
    // Open one operation: its parameters and responses render from the document too.
    await page.locator(".opblock-post").filter({ has: page.locator('[data-path="/api/v1/orders"]') }).locator(".opblock-summary").first().click();
    await page.getByText("Idempotency-Key").first().waitFor();
    await page.screenshot({ path: path.join(shots, "api-reference.png"), fullPage: false });

    const foreign = requests.filter((u) => !u.startsWith(`${app.url}/`) && !u.startsWith("data:") && !u.startsWith("blob:"));
    expect(foreign).toEqual([]);
    expect(requests.some((u) => u.endsWith("/api/v1/openapi.json"))).toBe(true);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("serves its files with long caching only under the current version", async () => {
    const html = await (await fetch(`${app.url}/api/v1/docs`)).text();
    const bundle = /src="(\/api\/v1\/docs\/assets\/[^"]+\/swagger-ui-bundle\.js)"/.exec(html)?.[1];
    expect(bundle).toBeTruthy();
    const ok = await fetch(`${app.url}${bundle}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/javascript/);
    expect(ok.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${app.url}/api/v1/docs/assets/0.0.0/swagger-ui-bundle.js`)).status).toBe(404);
    expect((await fetch(`${app.url}${bundle!.replace("swagger-ui-bundle.js", "package.json")}`)).status).toBe(404);
  });
});
