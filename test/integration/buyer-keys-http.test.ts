import fs from "node:fs";
import path from "node:path";
import { simpleParser } from "mailparser";
import { TEST_SHOP } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkKey, signBuyerLink } from "../../app/.server/crypto/buyer-link.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { keyPageLink } from "../../app/.server/use-cases/key-page-link.ts";
import { sendOrderEmail } from "../../app/.server/use-cases/send-order-email.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, paidOrder, stockPool, type Shop } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { sessionToken, SHOPIFY_ENV } from "../support/shopify-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The buyer's side over HTTP against the production build: the signed key page (valid, expired,
 * tampered, revoked, backordered, reveal on click, headers, views) and the checkout extension's
 * endpoint (session tokens: valid, expired, wrong secret or audience, malformed; other shop's and
 * unknown orders; CORS; views).
 */

// The Shopify library answers self-declared bots (Node's fetch) with 410; buyers use browsers.
const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36" };
const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(4, "0")}`);
const TOKEN_IN_PAGE = /\/k\/[A-Za-z0-9_-]{50}/;

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`buyer key page and extension endpoint on ${dialect}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let shop: Shop;
    let other: Shop;

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { ...SHOPIFY_ENV, BUYER_RATE_LIMIT_PER_MINUTE: "1000" } });
      http = await startHttp(s);
      shop = await makeShop(s, { domain: TEST_SHOP, sendEmail: true });
      other = await makeShop(s, { domain: "other-shop.myshopify.com" });
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    const orderRow = (externalId: string, storeId = shop.store.id) =>
      s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", externalId).executeTakeFirstOrThrow();
    const keyStates = async (orderId: string) =>
      (
        await s.db
          .selectFrom("allocations as a")
          .innerJoin("order_lines as l", "l.id", "a.order_line_id")
          .innerJoin("keys as k", "k.id", "a.key_id")
          .select("k.state")
          .where("l.order_id", "=", orderId)
          .orderBy("a.unit_index")
          .execute()
      ).map((r) => r.state);
    const view = (orderId: string, channel: "buyer_page" | "extension") =>
      s.db.selectFrom("deliveries").select(["first_viewed_at", "view_count", "status"]).where("order_id", "=", orderId).where("channel", "=", channel).executeTakeFirst();
    const page = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { ...BROWSER, ...(init.headers ?? {}) } });

    // Each page test gets a shop of its own: a backorder left by one test would take the next one's keys (FIFO).
    let shops = 0;
    const freshShop = (opts: Parameters<typeof makeShop>[1] = {}) => makeShop(s, { domain: `page-${++shops}.myshopify.com`, ...opts });

    async function paid(stock: string[], opts: Parameters<typeof paidOrder>[0] = {}, into: Shop = shop) {
      if (stock.length) await stockPool(s, into.accountId, into.poolId, stock);
      const host = paidOrder(opts);
      await applyHostOrder(s, into.store, host);
      return { host, order: await orderRow(host.externalId, into.store.id) };
    }

    describe("the signed key page", () => {
      it("shows the keys with strict headers and no inline script, marks them delivered first and records each view", async () => {
        const stock = codes("PAGE", 2);
        const { order } = await paid(stock, { quantity: 2 }, await freshShop());
        expect(await keyStates(order.id)).toEqual(["allocated", "allocated"]);
        const url = keyPageLink(s, order.id).replace(s.config.appUrl, http.url);
        expect(url).toMatch(TOKEN_IN_PAGE);
        // A HEAD (a link checker) reads nothing and is no view.
        expect((await page(url, { method: "HEAD" })).status).toBe(200);
        expect(await keyStates(order.id)).toEqual(["allocated", "allocated"]);
        expect(await view(order.id, "buyer_page")).toBeUndefined();

        const res = await page(url);
        expect(res.status).toBe(200);
        expect(res.headers.get("cache-control")).toBe("no-store");
        expect(res.headers.get("x-robots-tag")).toContain("noindex");
        expect(res.headers.get("referrer-policy")).toBe("no-referrer");
        const csp = res.headers.get("content-security-policy") ?? "";
        expect(csp).toContain("default-src 'none'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).not.toContain("unsafe-inline");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(res.headers.get("set-cookie")).toBeNull();
        const html = await res.text();
        for (const c of stock) expect(html).toContain(c);
        expect(html).toContain("Order #" + order.external_id);
        // Only a same-origin file; no inline script or style; copy buttons stay hidden without JS.
        expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/key-page.js" defer="">']);
        expect(html).not.toMatch(/<style|style="/);
        expect(html.match(/<button type="button" class="copy" hidden=""/g)).toHaveLength(2);

        expect(await keyStates(order.id)).toEqual(["delivered", "delivered"]);
        const first = await view(order.id, "buyer_page");
        expect(first).toMatchObject({ view_count: 1, status: "sent" });
        expect(first?.first_viewed_at).toBeTruthy();
        await page(url);
        const second = await view(order.id, "buyer_page");
        expect(second?.view_count).toBe(2);
        expect(second?.first_viewed_at).toBe(first?.first_viewed_at);
      });

      it("serves its script and stylesheet from this origin", async () => {
        const js = await page(`${http.url}/key-page.js`);
        expect(js.status).toBe(200);
        expect(await js.text()).toContain("clipboard");
        expect((await page(`${http.url}/key-page.css`)).status).toBe(200);
      });

      it("an expired link says how to get a new one and shows nothing of the order", async () => {
        const stock = codes("OLD", 1);
        const { order } = await paid(stock, {}, await freshShop());
        const token = signBuyerLink(linkKey(s.sessionSecret), order.id, new Date(Date.now() - 1000));
        const res = await page(`${http.url}/k/${token}`);
        expect(res.status).toBe(410);
        expect(res.headers.get("cache-control")).toBe("no-store");
        const html = await res.text();
        expect(html).toContain("This link has expired");
        expect(html).toContain("reply to your order email from Test shop");
        expect(html).not.toContain(stock[0]);
        expect(await keyStates(order.id)).toEqual(["allocated"]);
        expect(await view(order.id, "buyer_page")).toBeUndefined();
      });

      it("a tampered or made-up link is not a link: a clear page, no stack trace, no data", async () => {
        const stock = codes("TAMPER", 1);
        const { order } = await paid(stock, {}, await freshShop());
        const token = keyPageLink(s, order.id).split("/k/")[1];
        const flipped = token.slice(0, 10) + (token[10] === "A" ? "B" : "A") + token.slice(11);
        for (const bad of [flipped, token.slice(0, -2), "x", "%00", encodeURIComponent("../admin"), order.id]) {
          const res = await page(`${http.url}/k/${bad}`);
          expect(res.status, bad).toBe(404);
          const html = await res.text();
          expect(html).toContain("This link is not valid");
          expect(html).not.toContain(stock[0]);
          expect(html).not.toMatch(/at \w+ \(|Error:|node_modules/);
        }
        expect(await view(order.id, "buyer_page")).toBeUndefined();
      });

      it("hides revoked keys and tells about units waiting for stock", async () => {
        const partShop = await freshShop();
        const stock = codes("PART", 2);
        const { host, order } = await paid(stock, { quantity: 3 }, partShop);
        const url = keyPageLink(s, order.id).replace(s.config.appUrl, http.url);
        // Two keys and one unit waiting for stock.
        const before = await (await page(url)).text();
        expect(stock.filter((c) => before.includes(c))).toHaveLength(2);
        expect(before).toContain("1 more key for this item will be delivered when it is restocked. We&#x27;ll email you.");
        // Two units refunded: the backorder is dropped and one key revoked; the page drops both.
        await applyHostOrder(s, partShop.store, { ...host, lines: host.lines.map((l) => ({ ...l, refundedQuantity: 2 })) });
        const after = await (await page(url)).text();
        expect(stock.filter((c) => after.includes(c))).toHaveLength(1);
        expect(after).not.toContain("restocked");
      });

      it("with reveal on click, keys stay hidden (and unseen) until the buyer posts the form", async () => {
        const revealShop = await makeShop(s, { domain: "reveal-shop.myshopify.com", refundPolicy: "return_if_unseen" });
        await s.db.updateTable("pools").set({ reveal_on_click: 1 }).where("id", "=", revealShop.poolId).execute();
        const stock = codes("CLICK", 1);
        const { order } = await paid(stock, {}, revealShop);
        const url = keyPageLink(s, order.id).replace(s.config.appUrl, http.url);
        const before = await (await page(url)).text();
        expect(before).not.toContain(stock[0]);
        expect(before).toContain("Show 1 key");
        expect(await keyStates(order.id)).toEqual(["allocated"]);
        expect(await view(order.id, "buyer_page")).toBeUndefined();
        const lineId = /name="reveal" value="([^"]+)"/.exec(before)![1];

        const res = await page(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `reveal=${lineId}` });
        expect(res.status).toBe(200);
        expect(res.headers.get("cache-control")).toBe("no-store");
        expect(await res.text()).toContain(stock[0]);
        expect(await keyStates(order.id)).toEqual(["delivered"]);
        expect((await view(order.id, "buyer_page"))?.view_count).toBe(1);
      });

      it("an order whose keys are not allocated yet shows 'preparing' and refreshes itself", async () => {
        const { order } = await paid([], { lines: [{ externalLineId: "x-1", productId: "UNMAPPED", variantId: null, title: "T-shirt", quantity: 1, refundedQuantity: 0, unitPriceMinor: 100 }] });
        const res = await page(keyPageLink(s, order.id).replace(s.config.appUrl, http.url));
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).toContain("Preparing your keys");
        expect(html).toContain('http-equiv="refresh"');
      });

      it("speaks Chinese on ?lang=zh-CN, and the email carries a working link", async () => {
        const stock = codes("MAIL", 1);
        const { order } = await paid(stock, { email: "mail-buyer@example.com" }, await freshShop({ sendEmail: true }));
        await sendOrderEmail(s, { orderId: order.id, kind: "delivery" });
        const file = fs.readdirSync(s.config.mail.outboxDir).find((f) => fs.readFileSync(path.join(s.config.mail.outboxDir, f), "utf8").includes("mail-buyer@example.com"));
        const mail = await simpleParser(fs.readFileSync(path.join(s.config.mail.outboxDir, file!)));
        const link = /https?:\/\/\S+\/k\/[A-Za-z0-9_-]{50}/.exec(mail.text ?? "")?.[0];
        expect(link).toBeTruthy();
        expect(mail.html).toContain(`href="${link}"`);
        expect(mail.subject).not.toContain("/k/");
        const zh = await (await page(`${link!.replace(s.config.appUrl, http.url)}?lang=zh-CN`)).text();
        expect(zh).toContain('lang="zh-CN"');
        expect(zh).toContain("您的卡密");
        expect(zh).toContain(stock[0]);
        expect(zh).toContain("复制");
      });
    });

    describe("the extension endpoint", () => {
      const api = (orderId: string, token?: string | null, opts: { surface?: string; headers?: Record<string, string>; method?: string } = {}) =>
        fetch(`${http.url}/api/buyer/orders/${orderId}/keys${opts.surface ? `?surface=${opts.surface}` : ""}`, {
          method: opts.method ?? "GET",
          headers: { ...BROWSER, origin: "https://extensions.shopifycdn.com", ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers },
        });

      it("returns the keys to a valid token in the same second the allocation commits, and records the view", async () => {
        const stock = codes("EXT", 2);
        const started = Date.now();
        const { host, order } = await paid(stock, { quantity: 2 });
        const res = await api(host.externalId, await sessionToken("test-shop"));
        expect(Date.now() - started).toBeLessThan(1000);
        expect(res.status).toBe(200);
        expect(res.headers.get("cache-control")).toBe("no-store");
        expect(res.headers.get("access-control-allow-origin")).toBe("*");
        const body = await res.json();
        expect(body).toEqual({ status: "ready", order: `#${host.externalId}`, lines: [{ title: "Game card", keys: stock.map((code) => ({ code, fields: {} })), hiddenKeys: 0, pendingUnits: 0 }] });
        expect(await keyStates(order.id)).toEqual(["delivered", "delivered"]);
        expect((await view(order.id, "extension"))?.view_count).toBe(1);
      });

      it("answers the CORS preflight without a token", async () => {
        const res = await api("1", null, { method: "OPTIONS", headers: { "access-control-request-method": "GET", "access-control-request-headers": "authorization" } });
        expect(res.status).toBe(204);
        expect(res.headers.get("access-control-allow-origin")).toBe("*");
        expect(res.headers.get("access-control-allow-headers")).toContain("Authorization");
      });

      it("refuses expired, forged, foreign-audience, missing and malformed tokens with 401 and no data", async () => {
        const stock = codes("DENY", 1);
        const { host, order } = await paid(stock);
        const now = Date.now() / 1000;
        const cases: [string, string | null, Record<string, string>?][] = [
          ["expired", await sessionToken("test-shop", { exp: now - 60, nbf: now - 7200, iat: now - 7200 })],
          ["wrong secret", await sessionToken("test-shop", {}, "some-other-secret")],
          ["wrong audience", await sessionToken("test-shop", { aud: "another-api-key" })],
          ["not a shop", await sessionToken("test-shop", { dest: "https://evil.example.com" })],
          ["missing", null],
          ["malformed", null, { authorization: "Bearer not-a-jwt" }],
          ["basic", null, { authorization: "Basic dXNlcjpwYXNz" }],
        ];
        for (const [name, token, headers] of cases) {
          const res = await api(host.externalId, token, { headers });
          expect(res.status, name).toBe(401);
          expect(res.headers.get("access-control-allow-origin"), name).toBe("*");
          const text = await res.text();
          expect(text, name).not.toContain(stock[0]);
        }
        expect(await keyStates(order.id)).toEqual(["allocated"]);
        expect(await view(order.id, "extension")).toBeUndefined();
      });

      it("another shop's order and an unknown order are 404 with no data", async () => {
        const stock = codes("OTHER", 1);
        const { host, order } = await paid(stock, {}, other);
        const fromTestShop = await api(host.externalId, await sessionToken("test-shop"));
        expect(fromTestShop.status).toBe(404);
        expect(await fromTestShop.text()).not.toContain(stock[0]);
        expect((await api("999999999", await sessionToken("test-shop"))).status).toBe(404);
        expect((await api("gid-not-a-number", await sessionToken("test-shop"))).status).toBe(404);
        expect(await keyStates(order.id)).toEqual(["allocated"]);
        // Its own shop's token reads it.
        expect((await api(host.externalId, await sessionToken("other-shop"))).status).toBe(200);
      });

      it("says pending while nothing is allocated, and keeps the surfaces' limits", async () => {
        const { host } = await paid([], { lines: [{ externalLineId: "p-1", productId: "UNMAPPED", variantId: null, title: "T-shirt", quantity: 1, refundedQuantity: 0, unitPriceMinor: 100 }] });
        const pending = await api(host.externalId, await sessionToken("test-shop"));
        expect(await pending.json()).toEqual({ status: "pending", order: `#${host.externalId}`, lines: [] });

        const stock = codes("SURF", 1);
        // Bought by customer 12345 (the test token's sub), signed in.
        const { host: h2, order } = await paid(stock, { customerId: "12345" });
        // The order status page needs a signed-in customer (the token's sub), and it must be the
        // order's own: another signed-in buyer of the same shop reads nothing, on either surface.
        expect((await api(h2.externalId, await sessionToken("test-shop", { sub: undefined }), { surface: "customer-account" })).status).toBe(404);
        expect((await api(h2.externalId, await sessionToken("test-shop", { sub: "gid://shopify/Customer/999" }), { surface: "customer-account" })).status).toBe(404);
        expect((await api(h2.externalId, await sessionToken("test-shop", { sub: "gid://shopify/Customer/999" }))).status).toBe(404);
        expect((await api(h2.externalId, await sessionToken("test-shop", { sub: "gid://shopify/Customer/12345" }), { surface: "customer-account" })).status).toBe(200);
        expect((await api(h2.externalId, await sessionToken("test-shop"), { surface: "customer-account" })).status).toBe(200);
        // A guest's order has no customer to bind to: the order status page cannot read it.
        const { host: guest } = await paid(codes("GUEST", 1));
        expect((await api(guest.externalId, await sessionToken("test-shop"), { surface: "customer-account" })).status).toBe(404);
        expect((await api(guest.externalId, await sessionToken("test-shop"))).status).toBe(200);
        // The thank-you page reads orders placed within the last day.
        await s.db.updateTable("orders").set({ placed_at: new Date(Date.now() - 2 * 86_400_000).toISOString(), created_at: new Date(Date.now() - 2 * 86_400_000).toISOString() }).where("id", "=", order.id).execute();
        expect((await api(h2.externalId, await sessionToken("test-shop"))).status).toBe(404);
        expect((await api(h2.externalId, await sessionToken("test-shop"), { surface: "customer-account" })).status).toBe(200);
      });

      it("a guest's thank-you page must name the order's confirmation number; the order's signed-in buyer need not", async () => {
        const { host, order } = await paid(codes("CONF", 1), { confirmationNumber: "XPAV284CT" });
        const guest = await sessionToken("test-shop", { sub: undefined });
        const withConfirmation = (value: string) => ({ headers: { "x-keyrelay-confirmation": value } });
        // Another checkout's token guessing the order id reads nothing, nor with a wrong number.
        expect((await api(host.externalId, guest)).status).toBe(404);
        expect((await api(host.externalId, guest, withConfirmation("XPAV284CU"))).status).toBe(404);
        expect((await api(host.externalId, guest, withConfirmation("XPAV284C"))).status).toBe(404);
        const ok = await api(host.externalId, guest, withConfirmation("xpav284ct"));
        expect(ok.status).toBe(200);
        expect(((await ok.json()) as { status: string }).status).toBe("ready");
        // Stored once known: a later read of the order without the number does not erase it.
        await applyHostOrder(s, shop.store, { ...host, confirmationNumber: null });
        expect((await orderRow(host.externalId)).confirmation_number).toBe("XPAV284CT");
        expect((await api(host.externalId, guest)).status).toBe(404);
        // The order's own signed-in buyer is bound by the customer id instead.
        const { host: mine } = await paid(codes("MINE", 1), { confirmationNumber: "MINE12345", customerId: "12345" });
        expect((await api(mine.externalId, await sessionToken("test-shop", { sub: "gid://shopify/Customer/12345" }))).status).toBe(200);
        expect((await api(mine.externalId, await sessionToken("test-shop", { sub: "gid://shopify/Customer/999" }), withConfirmation("MINE12345"))).status).toBe(404);
        // The preflight lets the header through.
        const pre = await api("1", null, { method: "OPTIONS", headers: { "access-control-request-method": "GET", "access-control-request-headers": "authorization, x-keyrelay-confirmation" } });
        expect(pre.headers.get("access-control-allow-headers")).toContain("X-Keyrelay-Confirmation");
        expect(await keyStates(order.id)).toEqual(["delivered"]);
      });

      it("never logs a key or a token", async () => {
        const log = s.logLines.join("\n");
        expect(log).not.toMatch(/(EXT|PAGE|CLICK|DENY|OTHER|SURF|PART|TAMPER|OLD|MAIL|CONF|MINE)-\d{4}/);
        expect(log).not.toMatch(TOKEN_IN_PAGE);
        expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
      });
    });
  });
}

describe("buyer rate limits", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: { ...SHOPIFY_ENV, BUYER_RATE_LIMIT_PER_MINUTE: "3" } });
    http = await startHttp(s);
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  it("answers 429 with Retry-After past the per-IP limit, on the page and the endpoint", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${http.url}/k/not-a-token`, { headers: BROWSER })).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
    const limited = await fetch(`${http.url}/k/not-a-token`, { headers: BROWSER });
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await limited.text()).toContain("Too many requests");
    const api = await fetch(`${http.url}/api/buyer/orders/1/keys`, { headers: { ...BROWSER, authorization: `Bearer ${await sessionToken("test-shop")}` } });
    expect(api.status).toBe(429);
    expect(api.headers.get("access-control-allow-origin")).toBe("*");
  });
});
