import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";

/**
 * The buyer's side in a real browser: a WooCommerce order paid by webhook gets a customer note
 * with a signed link; the buyer opens it, sees the keys, copies one; the same page in Chinese,
 * on a 390 px phone, and with JavaScript off.
 */

const shots = path.join(projectRoot, "test-results/e2e");
const KEYS = [
  ["GIFT-7Q4M-2KX9-0001", "4821"],
  ["GIFT-7Q4M-2KX9-0002", "9930"],
];

let app: E2eApp;
let wc: FakeWooCommerce;
let pages: E2ePages;
const cspViolations: string[] = [];
let link = "";

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  wc = await startFakeWooCommerce({ siteName: "Ada's Game Cards" });
  const productId = wc.createProduct({ name: "Gift card $25", price: "25.00", sku: "GC-25" }).id;
  app = await startE2eApp({ env: { NODE_ENV: "production", HOST_REQUEST_TIMEOUT_MS: "3000" } });
  const cli = async (args: string[]) => {
    const r = await app.cli([...args, "--json"]);
    if (r.code !== 0) throw new Error(`${args.join(" ")} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  await createAdmin(app, { email: "owner@example.com", password: "correct horse battery staple" });
  const pool = await cli(["pool", "create", "--name", "Gift card $25"]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-e2e-buyer-")), "keys.csv");
  fs.writeFileSync(file, ["code,PIN", ...KEYS.map((k) => k.join(","))].join("\n") + "\n");
  await cli(["keys", "import", "--pool", pool.id, "--format", "csv", file]);
  const store = await cli(["store", "add-woocommerce", "--url", wc.url, "--consumer-key", wc.connection.consumerKey, "--consumer-secret", wc.connection.consumerSecret]);
  await cli(["map", "--store", store.id, "--product", String(productId), "--pool", pool.id]);

  // The buyer pays: WooCommerce's webhook, then keyrelay writes the keys and the link into a customer note.
  const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 2 }], status: "processing", billing: { email: "buyer@example.com", first_name: "Ada", last_name: "Buyer" } });
  const [hook] = wc.getWebhooks();
  expect((await wc.deliver(hook.id, "order.updated", order.id)).status).toBe(200);
  const deadline = Date.now() + 30_000;
  while (!link) {
    const note = wc.getNotes(order.id).find((n) => n.customer_note && n.note.includes("/k/"));
    const m = note && /(https?:\/\/\S+\/k\/[A-Za-z0-9_-]{50})/.exec(note.note);
    if (m) link = m[1];
    else if (Date.now() > deadline) throw new Error(`no customer note with a key-page link:\n${app.output()}`);
    else await new Promise((r) => setTimeout(r, 250));
  }
  pages = await E2ePages.launch(app.url);
});

afterAll(async () => {
  await pages?.close();
  if (process.env.E2E_DEBUG) console.log(app?.output());
  await app?.stop();
  await wc?.close();
});

async function newPage(opts: { width?: number; height?: number; acceptLanguage?: string; javaScriptEnabled?: boolean; mobile?: boolean } = {}): Promise<Page> {
  const page = await pages.open({
    acceptLanguage: opts.acceptLanguage,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    context: { deviceScaleFactor: opts.mobile ? 2 : 1, isMobile: opts.mobile ?? false, hasTouch: opts.mobile ?? false, javaScriptEnabled: opts.javaScriptEnabled ?? true },
  });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.url });
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  return page;
}

describe("the buyer's key page in Chromium", () => {
  it("the link from the WooCommerce note shows the keys; Copy puts one on the clipboard", async () => {
    expect(link.startsWith(app.url)).toBe(true);
    const page = await newPage();
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    await page.getByRole("heading", { name: "Your keys", level: 1 }).waitFor();
    for (const [code, pin] of KEYS) {
      await page.getByText(code, { exact: true }).waitFor();
      await page.getByText(pin, { exact: true }).waitFor();
    }
    await page.getByText(/^Order \S+ from Ada's Game Cards$/).waitFor();
    await page.screenshot({ path: path.join(shots, "buyer-keys-en.png"), fullPage: true });

    const copy = page.getByRole("button", { name: "Copy key 2" });
    await copy.click();
    await expect.poll(() => copy.innerText()).toBe("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(KEYS[1][0]);
    await page.screenshot({ path: path.join(shots, "buyer-keys-copied-en.png") });
  });

  it("reads in Chinese from the language switch, on desktop and a 390 px phone", async () => {
    const desktop = await newPage();
    await desktop.goto(link);
    await desktop.getByRole("link", { name: "中文" }).click();
    await desktop.getByRole("heading", { name: "您的卡密", level: 1 }).waitFor();
    await desktop.getByRole("button", { name: "复制第 1 个卡密" }).waitFor();
    expect(await desktop.locator("html").getAttribute("lang")).toBe("zh-CN");
    await desktop.screenshot({ path: path.join(shots, "buyer-keys-zh-CN.png"), fullPage: true });

    for (const [lang, url, heading] of [
      ["en", link, "Your keys"],
      ["zh-CN", `${link}?lang=zh-CN`, "您的卡密"],
    ] as const) {
      const phone = await newPage({ width: 390, height: 844, mobile: true });
      await phone.goto(url);
      await phone.getByRole("heading", { name: heading, level: 1 }).waitFor();
      // Nothing wider than the phone: no sideways scrolling.
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const button = phone.getByRole("button", { name: lang === "en" ? "Copy key 1" : "复制第 1 个卡密" });
      await button.click();
      await expect.poll(() => button.innerText()).toBe(lang === "en" ? "Copied" : "已复制");
      await phone.screenshot({ path: path.join(shots, `buyer-keys-mobile-${lang}.png`), fullPage: true });
    }
  });

  it("works without JavaScript: the keys are selectable text and no dead button shows", async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await page.goto(link);
    for (const [code] of KEYS) await page.getByText(code, { exact: true }).waitFor();
    expect(await page.getByRole("button", { name: /Copy key/ }).count()).toBe(0);
    await page.screenshot({ path: path.join(shots, "buyer-keys-no-js-en.png"), fullPage: true });
  });

  it("a tampered link shows a clear page, in Chinese for a Chinese browser", async () => {
    const page = await newPage({ acceptLanguage: "zh-CN,zh;q=0.9" });
    const tampered = link.slice(0, -3) + (link.endsWith("AAA") ? "BBB" : "AAA");
    const res = await page.goto(tampered);
    expect(res?.status()).toBe(404);
    await page.getByRole("heading", { name: "链接无效", level: 1 }).waitFor();
    const text = await page.locator("body").innerText();
    for (const [code] of KEYS) expect(text).not.toContain(code);
    await page.screenshot({ path: path.join(shots, "buyer-link-invalid-zh-CN.png"), fullPage: true });
  });

  it("raised no page errors and no Content-Security-Policy violations", () => {
    expect(pages.pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
