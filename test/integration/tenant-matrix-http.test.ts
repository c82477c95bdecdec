import fs from "node:fs";
import path from "node:path";
import { BASE64_HOST, USER_ID } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import type { Store } from "../../app/.server/db/schema.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { inviteTeamMember } from "../../app/.server/use-cases/invite-team-member.ts";
import { createResellerToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import { createReseller, setResellerPrice } from "../../app/.server/use-cases/manage-resellers.ts";
import { changeMemberRole } from "../../app/.server/use-cases/manage-team-members.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { addRiskListEntry } from "../../app/.server/use-cases/manage-risk-lists.ts";
import { addRiskRule } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { shopifyStaffRole } from "../../app/.server/use-cases/shopify-staff-role.ts";
import { CLI_TEAM_ACTOR } from "../../app/.server/use-cases/team-actor.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { ROWS, urlOf, type Ids, type Row } from "../support/admin-route-table.ts";
import { dialects } from "../support/dialects.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { sessionToken, SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Tenant isolation over the built server, from the role matrix's own table: account A (a
 * WooCommerce store connected with its keys and a Shopify shop linked in with a link code) and
 * account B (one store, unlinked), each with a pool of keys, a mapping, an order, an invitation and
 * a session. Every row that names an object, sent by one account's owner with the other's ids, is a
 * 404 and changes none of the other's rows; every row that names none shows none of the other's
 * names. The linked shop's embedded admin is account A, and gets the same 404s on B's objects.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
// The library answers self-identified bots (Node's fetch says "node") with 410; a browser does not.
const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36" };
const CODE = /[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}/;

/** A row names an object when any of its ids lands in its URL or form (found with marker ids). */
const MARK: Required<Ids> = {
  pool: "m-pool",
  store: "m-store",
  order: "m-order",
  keyId: "m-key",
  adminId: "m-admin",
  batch: "m-batch",
  mapping: "m-mapping",
  invitation: "m-invitation",
  session: "m-session",
  job: "m-job",
  allocation: "m-allocation",
  heldOrder: "m-held-order",
  rule: "m-rule",
  listEntry: "m-list-entry",
  reseller: "m-reseller",
  resellerToken: "m-reseller-token",
};
const marks = new Set(Object.values(MARK));
const namesObject = (row: Row) => row.route.includes(":") || Object.values(row.fields?.(MARK) ?? {}).some((v) => marks.has(v));
const labelOf = (row: Row) => `${row.method} ${row.route} ${row.fields ? JSON.stringify(row.fields(MARK).intent ?? "") : ""}`.trim();

/**
 * Rows that still answer another account with something other than a 404 (or change its data):
 * each is a bug, asserted to leak so that the fix turns this list red and shrinks it.
 */
const LEAKING_ROWS: string[] = [];
const knownLeaks: { from: "A" | "B" | "shop"; row: string }[] = (["A", "B", "shop"] as const).flatMap((from) => LEAKING_ROWS.map((row) => ({ from, row })));

/**
 * The table's forms are made to be refused on the role alone; where one is also invalid (an empty
 * pool name), the validation would answer before the account is asked, so this sends a valid one.
 */
function fieldsOf(row: Row, ids: Ids): Record<string, string> {
  const fields = row.fields!(ids);
  if (row.route === "/admin/pools/:poolId/edit") return { ...fields, name: "Taken over" };
  return fields;
}

/** The /app module that serves an /admin row (tsx or ts), or none. */
function hasAppRoute(adminRoute: string): boolean {
  const base = adminRoute.replace(/^\/admin/, "app").split("/").filter(Boolean).map((p) => (p.startsWith(":") ? `$${p.slice(1)}` : p)).join(".");
  return [`${base}.tsx`, `${base}.ts`, `${base}._index.tsx`].some((n) => fs.existsSync(path.resolve("app/routes", n)));
}

interface Tenant {
  accountId: string;
  ids: Required<Ids>;
  b: AdminBrowser;
  csrf: string;
  /** Names only this tenant's pages may show. */
  names: string[];
}

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`tenant matrix over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let wc: FakeWooCommerce;
    let A: Tenant;
    let B: Tenant;
    let shopStore: Store;
    const shopName = `tenant-${dialect}`;
    const shop = `${shopName}.myshopify.com`;

    async function objects(accountId: string, store: Store, poolName: string, orderId: string, email: string, i: number): Promise<Omit<Required<Ids>, "adminId" | "session">> {
      const pool = await createPool(s, accountId, { name: poolName, refundPolicy: "revoke" }, { type: "cli" });
      await upsertMapping(s.db, { accountId, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: poolName, unitsPerItem: 1, syncStock: false });
      await stockPool(s, accountId, pool.id, [`${poolName.toUpperCase().replace(/ /g, "-")}-0001`, `${poolName.toUpperCase().replace(/ /g, "-")}-0002`]);
      const order = await applyHostOrder(s, store, paidOrder({ id: orderId, quantity: 1, email }));
      const allocation = await s.db.selectFrom("allocations").select(["id", "key_id"]).where("account_id", "=", accountId).executeTakeFirstOrThrow();
      const batch = await s.db.selectFrom("key_batches").select("id").where("account_id", "=", accountId).executeTakeFirstOrThrow();
      const mapping = await s.db.selectFrom("product_mappings").select("id").where("account_id", "=", accountId).executeTakeFirstOrThrow();
      const job = await s.db.selectFrom("jobs").select("id").where("account_id", "=", accountId).executeTakeFirstOrThrow();
      const invitation = await inviteTeamMember(s, accountId, { email: `invitee-${i}@example.com`, role: "support" }, CLI_TEAM_ACTOR);
      // Risk: a rule that holds this buyer's orders, one held order, and a block-list entry.
      const rule = await addRiskRule(s, accountId, { when: `email = held-${i}@example.com`, then: "review", name: `Hold buyer ${i}` }, { type: "cli" });
      const held = await applyHostOrder(s, store, paidOrder({ id: `${orderId}9`, quantity: 1, email: `held-${i}@example.com` }));
      expect((await s.db.selectFrom("risk_decisions").select("review_status").where("order_id", "=", held.orderId).executeTakeFirstOrThrow()).review_status).toBe("held");
      const entry = await addRiskListEntry(s, accountId, { kind: "email", value: `blocked-${i}@example.com`, action: "block" }, { type: "cli" });
      const reseller = await createReseller(s, accountId, { name: `Reseller ${i}`, email: `reseller-${i}@example.com`, currency: "USD" }, { type: "cli" });
      // Its page's objects: a price for the pool (the removal to refuse) and a token (the revocation to refuse).
      await setResellerPrice(s, accountId, { resellerId: reseller.id, poolId: pool.id, price: "2.50" }, { type: "cli" });
      const resellerToken = await createResellerToken(s, accountId, { resellerId: reseller.id, scopes: "catalog:read" }, { type: "cli" });
      return {
        pool: pool.id,
        store: store.id,
        order: order.orderId,
        keyId: String(allocation.key_id),
        batch: String(batch.id),
        mapping: String(mapping.id),
        invitation: invitation.invitationId,
        job: String(job.id),
        allocation: String(allocation.id),
        heldOrder: held.orderId,
        rule: rule.rule.id,
        listEntry: entry.id,
        reseller: reseller.id,
        resellerToken: resellerToken.summary.id,
      };
    }

    async function tenant(email: string, accountId: string, objs: Omit<Required<Ids>, "adminId" | "session">, names: string[], i: number): Promise<Tenant> {
      const b = await new AdminBrowser(http.url, { "x-forwarded-for": `203.0.113.${20 + i}` }).signedIn(email, PASSWORD);
      const user = await s.db.selectFrom("admin_users").select("id").where("email", "=", email).executeTakeFirstOrThrow();
      const session = await s.db.selectFrom("admin_sessions").select("id").where("admin_user_id", "=", user.id).where("revoked_at", "is", null).executeTakeFirstOrThrow();
      return { accountId, ids: { ...objs, adminId: user.id, session: session.id }, b, csrf: await b.csrf(), names };
    }

    /** Everything of one account that a request could change (sessions: whether they are ended). */
    async function snapshot(accountId: string): Promise<string> {
      const tables = ["admin_users", "stores", "pools", "key_batches", "keys", "product_mappings", "orders", "order_lines", "allocations", "jobs", "deliveries", "team_invitations", "shopify_staff_roles", "link_codes", "risk_rule_sets", "risk_rules", "risk_list_entries", "risk_decisions", "resellers", "reseller_prices", "reseller_ledger", "reseller_tokens"] as const;
      const out: unknown[] = [await s.db.selectFrom("accounts").selectAll().where("id", "=", accountId).execute()];
      // Sorted here: not every table has an id to order by.
      for (const t of tables) out.push((await s.db.selectFrom(t).selectAll().where("account_id", "=", accountId).execute()).map((r) => JSON.stringify(r)).sort());
      out.push(await s.db.selectFrom("admin_sessions").select(["id", "revoked_at"]).where("account_id", "=", accountId).orderBy("id").execute());
      return JSON.stringify(out);
    }

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { ...SHOPIFY_ENV, TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100" } });
      http = await startHttp(s);
      wc = await startFakeWooCommerce();
      // A: a WooCommerce store connected with its keys, then a Shopify shop linked in with a code.
      const a = await createAdminUser(s, { email: "owner-a@tenant.example", password: PASSWORD, accountName: "Alpha account" });
      const wooId = (await connectWooCommerceStore(s, a.accountId, { ...wc.connection }, { type: "cli" })).id;
      const wooStore = await s.db.selectFrom("stores").selectAll().where("id", "=", wooId).executeTakeFirstOrThrow();
      const aObjs = await objects(a.accountId, wooStore, "Alpha pool", "7311", "alpha-buyer@example.com", 1);
      A = await tenant("owner-a@tenant.example", a.accountId, aObjs, ["Alpha pool", "#7311", "alpha-buyer@example.com", wooStore.name, "invitee-1@example.com", shop, "held-1@example.com", "blocked-1@example.com", "reseller-1@example.com"], 1);
      shopStore = await installShopifyShop(s, { shop });
      await storeOfflineSession(s, shop);
      const made = await A.b.post("/admin/stores.data", { csrf: A.csrf, intent: "link-code" });
      const code = CODE.exec(await made.text())![0];
      const linked = await embeddedPost("/app/stores", { intent: "link", storeId: shopStore.id, code });
      expect(linked.status).toBe(200);
      // The shop's staff joined an account with an owner (support there); as its owner they may do everything, so a 404 is the account's, not the role's.
      await shopifyStaffRole(s, a.accountId, shop, String(USER_ID));
      await changeMemberRole(s, a.accountId, { kind: "shopify", shop, userId: String(USER_ID) }, "owner", CLI_TEAM_ACTOR);
      // B: unlinked, one store of its own.
      const bUser = await createAdminUser(s, { email: "owner-b@tenant.example", password: PASSWORD, accountName: "Bravo account" });
      const bStore = await insertStore(s.db, { accountId: bUser.accountId, platform: "woocommerce", domain: "https://bravo.example", name: "Bravo store" });
      const bObjs = await objects(bUser.accountId, bStore, "Bravo pool", "8422", "bravo-buyer@example.com", 2);
      B = await tenant("owner-b@tenant.example", bUser.accountId, bObjs, ["Bravo pool", "#8422", "bravo-buyer@example.com", "Bravo store", "invitee-2@example.com", "held-2@example.com", "blocked-2@example.com", "reseller-2@example.com"], 2);
    });
    afterAll(async () => {
      await http?.close();
      await wc?.close();
      await s?.cleanup();
    });

    async function embeddedPost(route: string, fields: Record<string, string>): Promise<Response> {
      return fetch(`${http.url}${route}.data`, {
        method: "POST",
        redirect: "manual",
        headers: { ...browser, authorization: `Bearer ${await sessionToken(shopName)}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
      });
    }

    async function sendStandalone(who: Tenant, row: Row, ids: Ids): Promise<Response> {
      const url = urlOf(row, ids);
      if (row.method === "GET") return who.b.get(url);
      if (row.route.endsWith("/upload")) {
        return fetch(`${http.url}${url}?name=keys.txt&kind=paste`, {
          method: "POST",
          redirect: "manual",
          headers: { ...who.b.headers, cookie: [...who.b.jar].map(([k, v]) => `${k}=${v}`).join("; "), "x-csrf-token": who.csrf, "content-type": "application/octet-stream" },
          body: "A-KEY\n",
        });
      }
      // To the action itself (`.data`): a document POST would answer with the page loader's 404 whatever the action did.
      return who.b.post(`${url}.data`, { csrf: who.csrf, ...fieldsOf(row, ids) });
    }

    async function sendEmbedded(row: Row, ids: Ids): Promise<Response> {
      const appRow = { ...row, route: row.route.replace(/^\/admin/, "/app") };
      const url = urlOf(appRow, ids);
      const token = await sessionToken(shopName);
      if (row.method === "GET") return fetch(`${http.url}${url}?embedded=1&shop=${shop}&host=${BASE64_HOST}&id_token=${token}`, { redirect: "manual", headers: browser });
      const auth = { ...browser, authorization: `Bearer ${token}` };
      if (row.route.endsWith("/upload")) return fetch(`${http.url}${url}?name=keys.txt&kind=paste`, { method: "POST", redirect: "manual", headers: { ...auth, "content-type": "application/octet-stream" }, body: "A-KEY\n" });
      return fetch(`${http.url}${url}.data`, { method: "POST", redirect: "manual", headers: { ...auth, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fieldsOf(row, ids)) });
    }

    /** Sends every object row with the victim's ids; returns the rows that were not a clean 404. */
    async function probe(from: "A" | "B" | "shop", victim: Tenant, rows: Row[], send: (row: Row, ids: Ids) => Promise<Response>): Promise<string[]> {
      const leaks: string[] = [];
      for (const row of rows) {
        const before = await snapshot(victim.accountId);
        const res = await send(row, victim.ids);
        const body = await res.text();
        const changed = (await snapshot(victim.accountId)) !== before;
        const shown = victim.names.filter((n) => body.includes(n));
        if (res.status !== 404 || changed || shown.length > 0) leaks.push(`${labelOf(row)} → ${res.status}${changed ? ", changed data" : ""}${shown.length ? `, showed ${shown.join(", ")}` : ""}`);
      }
      const expected = knownLeaks.filter((l) => l.from === from).map((l) => l.row);
      expect(leaks.map((l) => l.split(" → ")[0]).sort(), leaks.join("\n")).toEqual(expected.sort());
      return leaks;
    }

    const objectRows = ROWS.filter(namesObject);
    const plainRows = ROWS.filter((r) => !namesObject(r));

    it("the table has rows of both kinds, and every object kind appears", () => {
      expect(objectRows.length).toBeGreaterThan(20);
      expect(plainRows.length).toBeGreaterThan(10);
      const used = new Set(objectRows.flatMap((r) => [...Object.values(r.fields?.(MARK) ?? {}), ...r.route.split("/").map((p) => (p === ":poolId" ? MARK.pool : p === ":storeId" ? MARK.store : p === ":orderId" ? MARK.order : p === ":resellerId" ? MARK.reseller : p))]));
      expect(Object.values(MARK).filter((m) => !used.has(m))).toEqual([]);
    });

    it("B's owner on A's objects (every route and intent): 404, A's rows unchanged", async () => {
      await probe("B", A, objectRows, (row, ids) => sendStandalone(B, row, ids));
    });

    it("A's owner on B's objects: 404, B's rows unchanged", async () => {
      await probe("A", B, objectRows, (row, ids) => sendStandalone(A, row, ids));
    });

    it("rows without an object id: each account's answer shows none of the other's names, and changes none of its rows", async () => {
      for (const [who, other] of [[B, A], [A, B]] as const) {
        const before = await snapshot(other.accountId);
        for (const row of plainRows) {
          const body = await (await sendStandalone(who, row, who.ids)).text();
          expect(other.names.filter((n) => body.includes(n)), labelOf(row)).toEqual([]);
        }
        // A search for the other's order by its name or its buyer finds nothing.
        // (The query itself is echoed into the page: look for the other half.)
        for (const [q, other_] of [[other.names[1], other.names[2]], [other.names[2], other.names[1]]]) {
          const body = await (await who.b.post("/admin/orders.data", { csrf: who.csrf, intent: "search", q })).text();
          expect(body.includes(other_), q).toBe(false);
        }
        expect(await snapshot(other.accountId)).toBe(before);
      }
      // Each account's own pages do show its own objects (the check above can fail).
      for (const who of [A, B]) expect(await (await who.b.get("/admin/pools")).text()).toContain(who.names[0]);
    });

    it("the linked shop's embedded admin is account A: its session token shows A's objects and none of B's", async () => {
      expect(await s.db.selectFrom("stores").select("account_id").where("id", "=", shopStore.id).executeTakeFirstOrThrow()).toEqual({ account_id: A.accountId });
      const pools = await (await sendEmbedded({ route: "/admin/pools", method: "GET", needs: "pools.view" }, A.ids)).text();
      expect(pools).toContain("Alpha pool");
      expect(pools).not.toContain("Bravo pool");
      const order = await sendEmbedded({ route: "/admin/orders/:orderId", method: "GET", needs: "orders.view" }, A.ids);
      expect(order.status).toBe(200);
      expect(await order.text()).toContain("alpha-buyer@example.com");
      // Its reseller's page too, in the embedded admin.
      const reseller = await sendEmbedded({ route: "/admin/resellers/:resellerId", method: "GET", needs: "resellers.manage" }, A.ids);
      expect(reseller.status).toBe(200);
      expect(await reseller.text()).toContain("reseller-1@example.com");
    });

    it("the linked shop's embedded admin on B's objects (every /app route and intent): 404, B's rows unchanged", async () => {
      const rows = objectRows.filter((r) => hasAppRoute(r.route));
      expect(rows.length).toBeGreaterThan(15);
      await probe("shop", B, rows, sendEmbedded);
    });
  });
}
