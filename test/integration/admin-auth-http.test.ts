import { BASE64_HOST, TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findStoreByDomain } from "../../app/.server/db/repositories/stores-repo.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { startHttp } from "../support/http-server.ts";
import { sessionToken, SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/** Pulls cookies out of a response for the next request (a tiny cookie jar). */
function cookiesFrom(res: Response, jar: Map<string, string> = new Map()): Map<string, string> {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return jar;
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

describe("embedded admin inside Shopify (session tokens)", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: SHOPIFY_ENV });
    http = await startHttp(s);
    await storeOfflineSession(s, TEST_SHOP);
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  // The library answers self-identified bots (Node's fetch says "node") with 410; a browser does not.
  const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36" };
  const appUrl = (token: string, extra = "") => `${http.url}/app?embedded=1&shop=${TEST_SHOP}&host=${BASE64_HOST}&id_token=${token}${extra}`;

  it("serves the dashboard for a valid session token and maps the shop to an account", async () => {
    const res = await fetch(appUrl(await sessionToken(TEST_SHOP_NAME)), { redirect: "manual", headers: browser });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("Keys in stock");
    expect(html).toContain("cdn.shopify.com"); // App Bridge, loaded by the browser inside the admin
    const store = await findStoreByDomain(s.db, "shopify", TEST_SHOP);
    expect(store?.status).toBe("active");
  });

  it("speaks the admin's language from Shopify's locale parameter", async () => {
    const res = await fetch(appUrl(await sessionToken(TEST_SHOP_NAME), "&locale=zh-CN"), { redirect: "manual", headers: browser });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("卡密库存");
    expect(html).toContain('lang="zh-CN"');
  });

  it("refuses an expired token, a token signed with another secret, and one for another app", async () => {
    const now = Date.now() / 1000;
    const expired = await sessionToken(TEST_SHOP_NAME, { exp: now - 60, nbf: now - 7200, iat: now - 7200 });
    const forged = await sessionToken(TEST_SHOP_NAME, {}, "some-other-secret");
    const otherApp = await sessionToken(TEST_SHOP_NAME, { aud: "another-api-key" });
    for (const token of [expired, forged, otherApp]) {
      const res = await fetch(appUrl(token), { redirect: "manual", headers: browser });
      // The library answers a bad token with a 401 or a redirect to re-authenticate; never the page.
      expect([302, 401, 403]).toContain(res.status);
      const body = await res.text();
      expect(body).not.toContain("Keys in stock");
    }
  });

  it("without a token, bounces to re-authenticate instead of serving data", async () => {
    const res = await fetch(`${http.url}/app?embedded=1&shop=${TEST_SHOP}&host=${BASE64_HOST}`, { redirect: "manual", headers: browser });
    expect(res.status).not.toBe(500);
    expect(await res.text()).not.toContain("Keys in stock");
  });
});

describe("Shopify routes on a server without Shopify configured", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite" });
    http = await startHttp(s);
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  it("answers webhooks and the embedded app with a clear 4xx", async () => {
    const wh = await fetch(`${http.url}/webhooks/shopify`, { method: "POST", body: "{}" });
    expect(wh.status).toBe(400);
    expect((await wh.json()).error.message).toMatch(/Shopify is not configured/);
    const app = await fetch(`${http.url}/app?shop=x.myshopify.com`, { redirect: "manual" });
    expect(app.status).toBe(400);
  });
});

describe("standalone admin login", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: { LOGIN_MAX_ATTEMPTS: "3" } });
    http = await startHttp(s);
    await createAdminUser(s, { email: "owner@example.com", password: "correct-horse-1" });
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  async function loginForm(jar = new Map<string, string>()) {
    const res = await fetch(`${http.url}/login`, { headers: { cookie: cookieHeader(jar) } });
    cookiesFrom(res, jar);
    const html = await res.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    expect(csrf).toBeTruthy();
    return { jar, csrf: csrf! };
  }

  async function postLogin(jar: Map<string, string>, fields: Record<string, string>, ip = "203.0.113.1") {
    return fetch(`${http.url}/login?next=%2Fadmin`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), "x-forwarded-for": ip },
      body: new URLSearchParams(fields),
    });
  }

  it("redirects the admin to the login page when signed out", async () => {
    const res = await fetch(`${http.url}/admin`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?next=%2Fadmin");
  });

  it("refuses a post without the CSRF token", async () => {
    const { jar } = await loginForm();
    const res = await postLogin(jar, { email: "owner@example.com", password: "correct-horse-1", csrf: "wrong" });
    expect(res.status).toBe(403);
  });

  it("signs in with the right password, sets an httpOnly cookie, and shows the dashboard", async () => {
    const { jar, csrf } = await loginForm();
    const res = await postLogin(jar, { email: "Owner@Example.com", password: "correct-horse-1", csrf });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/admin");
    const setCookie = res.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(/keyrelay_admin=.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    cookiesFrom(res, jar);
    const dash = await fetch(`${http.url}/admin`, { headers: { cookie: cookieHeader(jar) } });
    expect(dash.status).toBe(200);
    expect(await dash.text()).toContain("Keys in stock");
    const audit = await s.db.selectFrom("audit_log").select("action").where("action", "=", "admin.login").execute();
    expect(audit.length).toBe(1);
  });

  it("a tampered session cookie is not a login", async () => {
    const { jar, csrf } = await loginForm();
    const res = await postLogin(jar, { email: "owner@example.com", password: "correct-horse-1", csrf });
    cookiesFrom(res, jar);
    const value = jar.get("keyrelay_admin")!;
    jar.set("keyrelay_admin", value.slice(0, -3) + (value.endsWith("A") ? "B" : "A") + value.slice(-2));
    const dash = await fetch(`${http.url}/admin`, { headers: { cookie: cookieHeader(jar) }, redirect: "manual" });
    expect(dash.status).toBe(302);
  });

  it("rate-limits repeated failures for an email with 429 and Retry-After, even with the right password", async () => {
    const ip = "198.51.100.7";
    for (let i = 0; i < 3; i++) {
      const { jar, csrf } = await loginForm();
      const r = await postLogin(jar, { email: "owner@example.com", password: `wrong-${i}-password`, csrf }, ip);
      expect(r.status).toBe(401);
      expect(await r.text()).toContain("Wrong email or password.");
    }
    const { jar, csrf } = await loginForm();
    const blocked = await postLogin(jar, { email: "owner@example.com", password: "correct-horse-1", csrf }, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("does not follow an open redirect after login", async () => {
    const { jar, csrf } = await loginForm();
    const res = await fetch(`${http.url}/login?next=%2F%2Fevil.example`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), "x-forwarded-for": "192.0.2.55" },
      body: new URLSearchParams({ email: "nobody@example.com", password: "x", csrf }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("location")).toBeNull();
  });
});
