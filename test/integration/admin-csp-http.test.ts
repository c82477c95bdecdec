import { BASE64_HOST, TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { startHttp } from "../support/http-server.ts";
import { sessionToken, SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The admin's HTML documents carry a Content-Security-Policy whose scripts run only with the
 * response's nonce, and every script (and module preload) the document contains carries it.
 */

function directives(res: Response): Map<string, string[]> {
  const policy = res.headers.get("content-security-policy");
  expect(policy, "Content-Security-Policy header").toBeTruthy();
  return new Map(
    policy!.split(";").map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );
}

/** The nonce of the policy's script-src; fails unless scripts are limited to it. */
function scriptNonce(res: Response): string {
  const scriptSrc = directives(res).get("script-src") ?? [];
  expect(scriptSrc).toContain("'strict-dynamic'");
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  const nonces = scriptSrc.filter((s) => s.startsWith("'nonce-")).map((s) => s.slice("'nonce-".length, -1));
  expect(nonces).toHaveLength(1);
  expect(Buffer.from(nonces[0], "base64")).toHaveLength(16);
  return nonces[0];
}

/** Every <script> and modulepreload in the page, with the nonce attribute each one has. */
function tagNonces(html: string): { tag: string; nonce: string | undefined }[] {
  return [...html.matchAll(/<script\b[^>]*>|<link\b[^>]*rel="modulepreload"[^>]*>/g)].map(([tag]) => ({ tag, nonce: /\snonce="([^"]*)"/.exec(tag)?.[1] }));
}

async function expectNoncedDocument(res: Response): Promise<{ nonce: string; html: string }> {
  expect(res.status).toBe(200);
  const nonce = scriptNonce(res);
  const html = await res.text();
  const tags = tagNonces(html);
  expect(tags.filter((t) => t.tag.startsWith("<script")).length).toBeGreaterThan(1);
  for (const t of tags) expect(t.nonce, t.tag).toBe(nonce);
  return { nonce, html };
}

function cookiesFrom(res: Response, jar: Map<string, string>): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

describe("standalone admin: Content-Security-Policy with a nonce", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite" });
    http = await startHttp(s);
    await createAdminUser(s, { email: "owner@example.com", password: "correct-horse-1" });
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  it("/login: every script carries the policy's nonce, a new one on every response", async () => {
    const first = await fetch(`${http.url}/login`);
    const a = await expectNoncedDocument(first);
    const second = await fetch(`${http.url}/login`);
    const b = await expectNoncedDocument(second);
    expect(a.nonce).not.toBe(b.nonce);
    const p = directives(first);
    expect(p.get("object-src")).toEqual(["'none'"]);
    expect(p.get("base-uri")).toEqual(["'none'"]);
    expect(p.get("form-action")).toEqual(["'self'"]);
    expect(p.get("frame-ancestors")).toEqual(["'none'"]);
    expect(p.get("style-src-elem")).toEqual(["'self'"]);
    expect(first.headers.get("x-frame-options")).toBe("DENY");
  });

  it("an /admin page, signed in: the same, with its own nonce", async () => {
    const jar = new Map<string, string>();
    const form = await fetch(`${http.url}/login`);
    cookiesFrom(form, jar);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(csrf).toBeTruthy();
    const login = await fetch(`${http.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
      body: new URLSearchParams({ email: "owner@example.com", password: "correct-horse-1", csrf: csrf! }),
    });
    expect(login.status).toBe(302);
    cookiesFrom(login, jar);
    const nonces = new Set<string>();
    for (const path of ["/admin", "/admin/pools", "/admin/pools"]) {
      const { nonce, html } = await expectNoncedDocument(await fetch(`${http.url}${path}`, { headers: { cookie: cookieHeader(jar) } }));
      expect(html).toContain("Polaris-");
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(3);
  });

  it("an invitation page keeps its own Referrer-Policy (no-referrer: its token never leaves in a Referer); others get same-origin", async () => {
    const invite = await fetch(`${http.url}/invite/${"x".repeat(43)}`);
    expect(invite.headers.get("content-type")).toMatch(/text\/html/);
    expect(invite.headers.get("referrer-policy")).toBe("no-referrer");
    const login = await fetch(`${http.url}/login`);
    expect(login.headers.get("referrer-policy")).toBe("same-origin");
  });
});

describe("embedded admin: Content-Security-Policy with a nonce, framed only by the shop's admin", () => {
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

  const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36" };

  it("/app: frame-ancestors names the shop and admin.shopify.com; App Bridge carries the nonce", async () => {
    const res = await fetch(`${http.url}/app?embedded=1&shop=${TEST_SHOP}&host=${BASE64_HOST}&id_token=${await sessionToken(TEST_SHOP_NAME)}`, { headers: browser });
    const p = directives(res);
    expect(p.get("frame-ancestors")).toEqual([`https://${TEST_SHOP}`, "https://admin.shopify.com"]);
    expect(res.headers.get("x-frame-options")).toBeNull();
    expect(p.get("object-src")).toEqual(["'none'"]);
    const { nonce, html } = await expectNoncedDocument(res);
    expect(html).toContain("Keys in stock");
    const appBridge = tagNonces(html).find((t) => t.tag.includes('src="https://cdn.shopify.com/shopifycloud/app-bridge.js"'));
    expect(appBridge?.nonce).toBe(nonce);
    // Exactly one policy: the library's frame-ancestors-only header is not sent beside it.
    expect(res.headers.get("content-security-policy")).not.toContain(",");
  });

  it("a shop parameter that is not <name>.myshopify.com is not put into the policy", async () => {
    const res = await fetch(`${http.url}/app?embedded=1&shop=evil.example&host=${BASE64_HOST}`, { headers: browser, redirect: "manual" });
    // The library answers with its App Bridge page; the policy lets only Shopify's admin frame it.
    expect(directives(res).get("frame-ancestors")).toEqual(["https://admin.shopify.com"]);
    expect(res.headers.get("content-security-policy")).not.toContain("evil.example");
  });

  it("Shopify's session-token bounce page runs App Bridge with the nonce, and drops the preload the policy would refuse", async () => {
    const bounce = await fetch(`${http.url}/app?embedded=1&shop=${TEST_SHOP}&host=${BASE64_HOST}`, { headers: browser, redirect: "manual" });
    expect(bounce.status).toBe(302);
    const location = new URL(bounce.headers.get("location")!, http.url);
    expect(location.pathname).toBe("/auth/session-token");
    const res = await fetch(location, { headers: browser });
    expect(directives(res).get("frame-ancestors")).toEqual([`https://${TEST_SHOP}`, "https://admin.shopify.com"]);
    expect(res.headers.get("link") ?? "").not.toMatch(/rel="preload"/);
    const { nonce, html } = await expectNoncedDocument(res);
    const appBridge = tagNonces(html).find((t) => t.tag.includes("app-bridge.js"));
    expect(appBridge?.nonce).toBe(nonce);
  });
});
