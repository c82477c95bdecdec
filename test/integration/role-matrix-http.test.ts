import fs from "node:fs";
import path from "node:path";
import { BASE64_HOST, TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { findShopifyStaff, setAdminRole, setShopifyStaffRole } from "../../app/.server/db/repositories/team-repo.ts";
import { AUDITED_REFUSALS, can, ROLES, type Role } from "../../app/.server/domain/roles.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { shopifyStaffRole } from "../../app/.server/use-cases/shopify-staff-role.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { ROWS, routeOfFile, urlOf, type Ids, type Row } from "../support/admin-route-table.ts";
import { dialects } from "../support/dialects.ts";
import { paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { sessionToken, SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The role matrix: every standalone admin route and action × every role, over the built server.
 * One table says which permission each request needs; whether a role is allowed comes from the
 * domain's permission table, so a route that forgets to ask (or asks for the wrong thing) fails
 * here. Denied: 403 with code "forbidden", nothing shown, and for sensitive permissions an
 * `access.denied` audit row. Allowed: anything but that (the request itself may still be wrong:
 * these use ids that do not exist where a real one would change data).
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const KEY = "MATRIX-KEY-0001";

describe("the role matrix covers every standalone admin route", () => {
  it("lists each app/routes/admin.* module (the layout aside)", () => {
    const files = fs.readdirSync(path.resolve("app/routes")).filter((f) => f.startsWith("admin.") && f !== "admin.tsx");
    const covered = new Set(ROWS.map((r) => r.route));
    expect(files.map(routeOfFile).filter((r) => !covered.has(r))).toEqual([]);
  });
});

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`role matrix over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let accountId: string;
    const ids = {} as Record<Role, Ids>;
    const browsers = {} as Record<Role, { b: AdminBrowser; csrf: string; userId: string }>;

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100" } });
      http = await startHttp(s);
      accountId = (await createAdminUser(s, { email: "owner@matrix.example", password: PASSWORD, accountName: "Matrix shop" })).accountId;
      const store = await insertStore(s.db, { accountId, platform: "shopify", domain: "matrix-shop.myshopify.com", name: "Matrix shop" });
      const pool = await createPool(s, accountId, { name: "Gift card", refundPolicy: "revoke" }, { type: "cli" });
      await upsertMapping(s.db, { accountId, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: "Gift card", unitsPerItem: 1, syncStock: false });
      await stockPool(s, accountId, pool.id, [KEY]);
      const order = await applyHostOrder(s, store, paidOrder({ id: "5001", quantity: 1, email: "ada@example.com" }));
      const key = await s.db.selectFrom("keys").select("id").where("account_id", "=", accountId).executeTakeFirstOrThrow();
      for (const [i, role] of ROLES.entries()) {
        const email = `${role}@matrix.example`;
        const userId = role === "owner" ? (await s.db.selectFrom("admin_users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id : (await createAdminUser(s, { email, password: PASSWORD, accountId })).userId;
        await setAdminRole(s.db, accountId, userId, role);
        const b = await new AdminBrowser(http.url, { "x-forwarded-for": `203.0.113.${10 + i}` }).signedIn(email, PASSWORD);
        browsers[role] = { b, csrf: await b.csrf(), userId };
        ids[role] = { pool: pool.id, store: store.id, order: order.orderId, keyId: String(key.id), adminId: userId };
      }
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    async function send(role: Role, row: Row): Promise<Response> {
      const { b, csrf } = browsers[role];
      const url = urlOf(row, ids[role]);
      if (row.method === "GET") return b.get(url);
      if (row.route.endsWith("/upload")) {
        return fetch(`${http.url}${url}?name=keys.txt&kind=paste`, {
          method: "POST",
          redirect: "manual",
          headers: { ...b.headers, cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join("; "), "x-csrf-token": csrf, "content-type": "application/octet-stream" },
          body: "A-KEY\n",
        });
      }
      return b.post(url, { csrf, ...row.fields!(ids[role]) });
    }

    for (const role of ROLES) {
      it(`${role}: allowed exactly what the permission table says, refused (403, audited where sensitive) the rest`, async () => {
        const wrong: string[] = [];
        for (const row of ROWS) {
          const allowed = row.needs === "signed_in" || can(role, row.needs);
          const res = await send(role, row);
          const body = await res.text();
          const label = `${row.method} ${row.route} ${row.fields ? JSON.stringify(row.fields(ids[role]).intent ?? "") : ""} → ${res.status}`;
          const refused = res.status === 403 && body.includes("forbidden");
          if (res.status === 302 && (res.headers.get("location") ?? "").startsWith("/login")) wrong.push(`${label} (signed out)`);
          // 502 is a host's failure answered on the page (the store is not reachable here): the request got past the role.
          else if (allowed && (refused || (res.status >= 500 && res.status !== 502))) wrong.push(`${label} (expected allowed)`);
          else if (!allowed && !refused) wrong.push(`${label} (expected 403)`);
          // A refused reveal or export never carries the key.
          if (!allowed) expect(body, label).not.toContain(KEY);
        }
        expect(wrong).toEqual([]);
        // Every refusal of a sensitive permission is on the record, with the role and the path.
        const denied = await s.db.selectFrom("audit_log").select(["details", "actor_id"]).where("action", "=", "access.denied").where("actor_id", "=", browsers[role].userId).execute();
        const expected = ROWS.filter((r) => r.needs !== "signed_in" && !can(role, r.needs) && AUDITED_REFUSALS.has(r.needs));
        expect(denied.length).toBe(expected.length);
        for (const d of denied) expect(JSON.parse(d.details!)).toMatchObject({ role });
        // The one escalating itself is still what it was.
        const row = await s.db.selectFrom("admin_users").select("role").where("id", "=", browsers[role].userId).executeTakeFirstOrThrow();
        expect(row.role).toBe(role);
      });
    }

    it("the stores and products pages show only the buttons the role may use", async () => {
      // A second store, so that each store offers Unlink… to a role that may link.
      await insertStore(s.db, { accountId, platform: "woocommerce", domain: "https://matrix-woo.example", name: "Matrix woo" });
      for (const role of ROLES) {
        const { b } = browsers[role];
        const stores = await (await b.get("/admin/stores")).text();
        expect(stores.includes("Unlink…"), `${role} unlink`).toBe(can(role, "stores.link"));
        expect(stores.includes("Link another store"), `${role} link code`).toBe(can(role, "stores.link"));
        expect(stores.includes("Link to an existing keyrelay account"), `${role} redeem`).toBe(can(role, "stores.link"));
        expect(stores.includes("Connect store"), `${role} connect`).toBe(can(role, "stores.manage"));
        expect(stores, role).toContain("Matrix woo");
        const products = await (await b.get(`/admin/stores/${ids[role].store}/products`)).text();
        // The mapping of P1 is listed for everyone; Remove only for a role that may change mappings.
        expect(products, role).toContain("Gift card");
        expect(products.includes(">Remove<"), `${role} remove`).toBe(can(role, "mappings.manage"));
      }
    });

    it("the order search matches an exact key code only for a role that may find keys: a viewer cannot test a guessed code", async () => {
      for (const role of ROLES) {
        const { b, csrf } = browsers[role];
        const res = await b.post("/admin/orders.data", { csrf, intent: "search", q: KEY });
        expect(res.status, role).toBe(200);
        const body = await res.text();
        // The order that holds the key is found (by its buyer's email in the answer) or not at all.
        expect(body.includes("ada@example.com"), role).toBe(can(role, "keys.find"));
        // A matched code is not echoed back into the page (a viewer's unmatched query is: they typed it).
        if (can(role, "keys.find")) expect(body, role).not.toContain(KEY);
      }
      // Its name and its buyer's email still find it for everyone.
      const viewer = browsers.viewer;
      expect(await (await viewer.b.post("/admin/orders.data", { csrf: viewer.csrf, intent: "search", q: "#5001" })).text()).toContain("ada@example.com");
      expect(await (await viewer.b.post("/admin/orders.data", { csrf: viewer.csrf, intent: "search", q: "ada@example.com" })).text()).toContain("#5001");
    });
  });
}

/**
 * The same table in the embedded admin: every /app route and intent × every role, the member being
 * a Shopify staff member known by the session token's user id (their role in shopify_staff_roles).
 * A row of /admin whose page /app also has is sent there; /app's own pages must all be in the table.
 */
const APP_ROWS: Row[] = ROWS.filter((r) => fs.existsSync(path.resolve("app/routes", appFileOf(r.route)))).map((r) => ({ ...r, route: r.route.replace(/^\/admin/, "/app") }));

/** /admin/pools/:poolId/import/upload → the app.* module that serves it in /app (tsx or ts). */
function appFileOf(adminRoute: string): string {
  const parts = adminRoute.replace(/^\/admin/, "app").split("/").filter(Boolean).map((p) => (p.startsWith(":") ? `$${p.slice(1)}` : p));
  const base = parts.join(".");
  for (const name of [`${base}.tsx`, `${base}.ts`, `${base}._index.tsx`]) if (fs.existsSync(path.resolve("app/routes", name))) return name;
  return `${base}.tsx`;
}

describe("the embedded role matrix covers every /app route", () => {
  it("lists each app/routes/app.* module (the layout aside)", () => {
    const files = fs.readdirSync(path.resolve("app/routes")).filter((f) => f.startsWith("app.") && f !== "app.tsx");
    const covered = new Set(APP_ROWS.map((r) => r.route));
    expect(files.map(routeOfFile).filter((r) => !covered.has(r))).toEqual([]);
  });
});

describe("role matrix in the embedded admin over HTTP (sqlite, session tokens)", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  let accountId: string;
  let ids: Ids;
  // The library answers self-identified bots (Node's fetch says "node") with 410; a browser does not.
  const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36" };
  const subOf = (role: Role) => `staff-${role}`;

  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: SHOPIFY_ENV });
    http = await startHttp(s);
    const store = await installShopifyShop(s, { shop: TEST_SHOP });
    await storeOfflineSession(s, TEST_SHOP);
    accountId = store.account_id;
    const pool = await createPool(s, accountId, { name: "Gift card", refundPolicy: "revoke" }, { type: "cli" });
    await upsertMapping(s.db, { accountId, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: "Gift card", unitsPerItem: 1, syncStock: false });
    await stockPool(s, accountId, pool.id, [KEY]);
    const order = await applyHostOrder(s, store, paidOrder({ id: "6001", quantity: 1, email: "ada@example.com" }));
    const key = await s.db.selectFrom("keys").select("id").where("account_id", "=", accountId).executeTakeFirstOrThrow();
    ids = { pool: pool.id, store: store.id, order: order.orderId, keyId: String(key.id), adminId: "" };
    // Each staff member as the app sees them first (the installer owner, the rest support), then the role under test.
    for (const role of ROLES) {
      expect(await shopifyStaffRole(s, accountId, TEST_SHOP, subOf(role))).toBe(role === "owner" ? "owner" : "support");
      await setShopifyStaffRole(s.db, accountId, TEST_SHOP, subOf(role), role);
    }
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  async function send(role: Role, row: Row): Promise<Response> {
    const token = await sessionToken(TEST_SHOP_NAME, { sub: subOf(role) });
    const url = urlOf(row, { ...ids, adminId: "" });
    if (row.method === "GET") return fetch(`${http.url}${url}?embedded=1&shop=${TEST_SHOP}&host=${BASE64_HOST}&id_token=${token}`, { redirect: "manual", headers: browser });
    const auth = { ...browser, authorization: `Bearer ${token}` };
    if (row.route.endsWith("/upload")) {
      return fetch(`${http.url}${url}?name=keys.txt&kind=paste`, { method: "POST", redirect: "manual", headers: { ...auth, "content-type": "application/octet-stream" }, body: "A-KEY\n" });
    }
    let fields = row.fields!(ids);
    // A staff member escalating themselves: their own row, to owner.
    if (fields.intent === "role") fields = { intent: "role", memberKind: "shopify", shop: TEST_SHOP, userId: subOf(role), role: "owner" };
    return fetch(`${http.url}${url}.data`, { method: "POST", redirect: "manual", headers: { ...auth, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
  }

  for (const role of ROLES) {
    it(`${role}: allowed exactly what the permission table says, refused (403, audited where sensitive) the rest`, async () => {
      const deniedBefore = await s.db.selectFrom("audit_log").select("details").where("action", "=", "access.denied").execute();
      const wrong: string[] = [];
      for (const row of APP_ROWS) {
        const allowed = row.needs === "signed_in" || can(role, row.needs);
        const res = await send(role, row);
        const body = await res.text();
        const label = `${row.method} ${row.route} ${row.fields ? JSON.stringify(row.fields(ids).intent ?? "") : ""} → ${res.status}`;
        const refused = res.status === 403 && body.includes("forbidden");
        if (res.status === 401 || (res.status >= 300 && res.status < 400 && res.status !== 304)) wrong.push(`${label} (not signed in: ${res.headers.get("location") ?? ""})`);
        else if (allowed && (refused || (res.status >= 500 && res.status !== 502))) wrong.push(`${label} (expected allowed)`);
        else if (!allowed && !refused) wrong.push(`${label} (expected 403)`);
        if (!allowed) expect(body, label).not.toContain(KEY);
      }
      expect(wrong).toEqual([]);
      const denied = (await s.db.selectFrom("audit_log").select("details").where("action", "=", "access.denied").execute()).slice(deniedBefore.length);
      const expected = APP_ROWS.filter((r) => r.needs !== "signed_in" && !can(role, r.needs) && AUDITED_REFUSALS.has(r.needs));
      expect(denied.length).toBe(expected.length);
      for (const d of denied) expect(JSON.parse(d.details!)).toMatchObject({ role });
      // The one escalating itself is still what it was.
      expect((await findShopifyStaff(s.db, accountId, TEST_SHOP, subOf(role)))?.role).toBe(role);
    });
  }
});
