import { BASE64_HOST, TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSessionStorage, SESSION_MAX_AGE_MS, type SessionData } from "../../app/.server/auth/admin-session.ts";
import { hashSessionId } from "../../app/.server/crypto/admin-session-token.ts";
import { findStoreByDomain } from "../../app/.server/db/repositories/stores-repo.ts";
import { createAdminSession } from "../../app/.server/use-cases/create-admin-session.ts";
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
    // A long first wait, so "still waiting" never depends on how fast the machine is.
    s = await makeServices({ dialect: "sqlite", env: { LOGIN_MAX_ATTEMPTS: "3", LOGIN_DELAY_SECONDS: "60", TRUST_PROXY: "1" } });
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
    // Change the third character from the end to a different one (the old check looked at the
    // last character and left the cookie unchanged whenever the third-last was already "A").
    const at = value.length - 3;
    const swapped = value[at] === "A" ? "B" : "A";
    const tampered = value.slice(0, at) + swapped + value.slice(at + 1);
    expect(tampered).not.toBe(value);
    jar.set("keyrelay_admin", tampered);
    const dash = await fetch(`${http.url}/admin`, { headers: { cookie: cookieHeader(jar) }, redirect: "manual" });
    expect(dash.status).toBe(302);
  });

  it("slows down repeated failures from one IP with 429 and Retry-After, and only there: the owner signs in from another", async () => {
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
    expect(blocked.headers.get("retry-after")).toBe("60");
    expect(await blocked.text()).toContain("Too many failed sign-ins. Try again in 60 seconds.");
    // Before, these three failures locked the email for everyone: a stranger could lock the owner out.
    const owner = await loginForm();
    const res = await postLogin(owner.jar, { email: "owner@example.com", password: "correct-horse-1", csrf: owner.csrf }, "192.0.2.44");
    expect(res.status).toBe(302);
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

describe("standalone admin login hardening", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: { LOGIN_MAX_ATTEMPTS: "3", LOGIN_DELAY_SECONDS: "60" } });
    http = await startHttp(s);
    await createAdminUser(s, { email: "owner@example.com", password: "correct-horse-1" });
    await createAdminUser(s, { email: "racer@example.com", password: "correct-horse-2", accountName: "Race" });
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  async function loginForm(jar = new Map<string, string>()) {
    const res = await fetch(`${http.url}/login`, { headers: { cookie: cookieHeader(jar) } });
    cookiesFrom(res, jar);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await res.text())?.[1];
    expect(csrf).toBeTruthy();
    return { jar, csrf: csrf! };
  }

  const post = (path: string, jar: Map<string, string>, body: BodyInit, extra: Record<string, string> = {}) =>
    fetch(`${http.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), ...extra },
      body,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);

  it("lets at most LOGIN_MAX_ATTEMPTS of 30 concurrent wrong passwords from one client through; the rest get 429", async () => {
    const { jar, csrf } = await loginForm();
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post("/login", jar, new URLSearchParams({ email: "racer@example.com", password: `wrong-${i}-pw`, csrf }))),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((x) => x === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(27);
    expect(statuses.every((x) => x === 401 || x === 429)).toBe(true);
    for (const r of responses.filter((x) => x.status === 429)) expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const failed = await s.db.selectFrom("audit_log").select("action").where("action", "=", "admin.login_failed").execute();
    expect(failed.length).toBeLessThanOrEqual(3);
    // Still waiting, even with the right password (from this client: it has no known-device cookie).
    const blocked = await post("/login", jar, new URLSearchParams({ email: "racer@example.com", password: "correct-horse-2", csrf }));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(50);
  });

  it("does not follow a tab-smuggled redirect (/%09/evil.com) after a successful login", async () => {
    const { jar, csrf } = await loginForm();
    const res = await post("/login?next=%2F%09%2Fevil.example", jar, new URLSearchParams({ email: "owner@example.com", password: "correct-horse-1", csrf }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/admin");
  });

  it("refuses a login or logout body over 16 KiB with 413, by Content-Length or by what streams", async () => {
    const { jar, csrf } = await loginForm();
    const big = new URLSearchParams({ email: "owner@example.com", password: "p".repeat(20_000), csrf }).toString();
    const declared = await post("/login", jar, big);
    expect(declared.status).toBe(413);
    const streamed = await post(
      "/login",
      jar,
      new ReadableStream({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode("x".repeat(1024)));
          c.close();
        },
      }),
    );
    expect(streamed.status).toBe(413);
    const logout = await post("/logout", jar, `csrf=${csrf}&pad=${"x".repeat(20_000)}`);
    expect(logout.status).toBe(413);
    // Nothing was counted against the account.
    const ok = await post("/login", jar, new URLSearchParams({ email: "owner@example.com", password: "correct-horse-1", csrf }));
    expect(ok.status).toBe(302);
  });

  it("answers a password over 1024 characters as a wrong password", async () => {
    const { jar, csrf } = await loginForm();
    const res = await post("/login", jar, new URLSearchParams({ email: "owner@example.com", password: "correct-horse-1".padEnd(1025, "x"), csrf }));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Wrong email or password.");
  });

  it("ends a session 12 hours after sign-in on the server, however recently it was used, without a redirect loop", async () => {
    const user = await s.db.selectFrom("admin_users").select(["id", "account_id"]).where("email", "=", "owner@example.com").executeTakeFirstOrThrow();
    const storage = adminSessionStorage(s);
    const cookieFor = async (data: Partial<SessionData>) => {
      const session = await storage.getSession();
      for (const [k, v] of Object.entries(data)) session.set(k as keyof SessionData, v as never);
      return (await storage.commitSession(session)).split(";")[0];
    };
    const signedInAt = (msAgo: number) =>
      createAdminSession(s, { userId: user.id, accountId: user.account_id, userAgent: null, ip: null }, new Date(Date.now() - msAgo));
    const justInside = await signedInAt(SESSION_MAX_AGE_MS - 60_000);
    expect((await fetch(`${http.url}/admin`, { headers: { cookie: await cookieFor({ sid: justInside.sessionId }) }, redirect: "manual" })).status).toBe(200);

    // Signed in 12 hours and a second ago, and seen a moment ago: the lifetime counts from sign-in.
    const old = await signedInAt(SESSION_MAX_AGE_MS + 1000);
    await s.db.updateTable("admin_sessions").set({ last_seen_at: new Date().toISOString() }).where("id", "=", hashSessionId(old.sessionId)).execute();
    for (const stale of [
      await cookieFor({ sid: old.sessionId }),
      // The cookie of the old design (user id and sign-in time, no server record) is no login either.
      await cookieFor({ userId: user.id, csrf: "c", issuedAt: Date.now() } as Partial<SessionData>),
    ]) {
      const admin = await fetch(`${http.url}/admin`, { headers: { cookie: stale }, redirect: "manual" });
      expect(admin.status).toBe(302);
      expect(admin.headers.get("location")).toBe("/login?next=%2Fadmin");
      const login = await fetch(`${http.url}/login?next=%2Fadmin`, { headers: { cookie: stale }, redirect: "manual" });
      expect(login.status).toBe(200);
    }
  });
});
