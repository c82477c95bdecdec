import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { insertResellerOrder } from "../../app/.server/db/repositories/reseller-orders-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { setAdminRole } from "../../app/.server/db/repositories/team-repo.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { createResellerToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { createReseller, setResellerPrice } from "../../app/.server/use-cases/manage-resellers.ts";
import { changeResellerBalance } from "../../app/.server/use-cases/reseller-balance.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * A reseller's page over the built server (standalone admin; the embedded one shares the loader
 * and action, and the role and tenant matrices send its rows to both): each action changes what
 * it says and writes its audit row; bad input is a 400 naming the field and changes nothing;
 * another account's owner gets a 404 and changes nothing, even through its own reseller's URL
 * with the other's token or pool; a role without resellers.manage gets a 403. The Orders list
 * marks a reseller's order with its name and filters by channel.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const cli = { type: "cli" as const };

/** The action answer of a `.data` request (React Router's turbo-stream: a flat array of values, objects as {_key: valueIndex}). */
function decode(text: string): Record<string, unknown> {
  const flat = JSON.parse(text.split("\n")[0]!) as unknown[];
  const at = (i: number): unknown => {
    if (i < 0) return i === -1 ? undefined : i === -5 ? null : null;
    const v = flat[i];
    if (Array.isArray(v)) return v.map((x) => at(x as number));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v as Record<string, number>).map(([k, vi]) => [flat[Number(k.slice(1))] as string, at(vi)]));
    return v;
  };
  const root = at(0) as Record<string, unknown>;
  return (root.data ?? root) as Record<string, unknown>;
}

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reseller detail page over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let A: { accountId: string; resellerId: string; poolId: string; otherPoolId: string; tokenId: string; b: AdminBrowser; csrf: string };
    let B: { accountId: string; resellerId: string; poolId: string; tokenId: string; b: AdminBrowser; csrf: string };
    let support: { b: AdminBrowser; csrf: string };
    let storeOrderId: string;

    const url = (who: { resellerId: string }) => `/admin/resellers/${who.resellerId}`;
    const post = (who: { b: AdminBrowser; csrf: string }, path: string, fields: Record<string, string>) => who.b.post(`${path}.data`, { csrf: who.csrf, ...fields });

    /** Everything of the account a reseller action could change, audit rows included. */
    async function snapshot(accountId: string): Promise<string> {
      const out: unknown[] = [];
      for (const t of ["resellers", "reseller_prices", "reseller_ledger", "reseller_tokens", "audit_log"] as const) {
        out.push((await s.db.selectFrom(t).selectAll().where("account_id", "=", accountId).execute()).map((r) => JSON.stringify(r)).sort());
      }
      return JSON.stringify(out);
    }
    const audits = (accountId: string, action: string) => s.db.selectFrom("audit_log").select(["details", "actor_type", "subject_id"]).where("account_id", "=", accountId).where("action", "=", action).execute();
    const reseller = (id: string) => s.db.selectFrom("resellers").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

    async function tenant(email: string, name: string, i: number) {
      const { accountId } = await createAdminUser(s, { email, password: PASSWORD, accountName: `${name} account` });
      const pool = await createPool(s, accountId, { name: `${name} pool` }, cli);
      const r = await createReseller(s, accountId, { name: `${name} Wholesale`, email: `buyer@${name.toLowerCase()}.example`, currency: "USD" }, cli);
      await setResellerPrice(s, accountId, { resellerId: r.id, poolId: pool.id, price: "2.50" }, cli);
      const tk = await createResellerToken(s, accountId, { resellerId: r.id, scopes: "catalog:read" }, cli);
      const b = await new AdminBrowser(http.url, { "x-forwarded-for": `203.0.113.${60 + i}` }).signedIn(email, PASSWORD);
      return { accountId, resellerId: r.id, poolId: pool.id, tokenId: tk.summary.id, b, csrf: await b.csrf() };
    }

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100" } });
      http = await startHttp(s);
      const a = await tenant("owner@alpha.example", "Alpha", 1);
      const otherPool = await createPool(s, a.accountId, { name: "Alpha spare pool" }, cli);
      A = { ...a, otherPoolId: otherPool.id };
      B = await tenant("owner@bravo.example", "Bravo", 2);
      const { userId } = await createAdminUser(s, { email: "support@alpha.example", password: PASSWORD, accountId: A.accountId });
      await setAdminRole(s.db, A.accountId, userId, "support");
      const sb = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.69" }).signedIn("support@alpha.example", PASSWORD);
      support = { b: sb, csrf: await sb.csrf() };
      // A retail order of a store, for the Orders list's channel filter.
      const store = await insertStore(s.db, { accountId: A.accountId, platform: "shopify", domain: "alpha.myshopify.com", name: "Alpha store" });
      await upsertMapping(s.db, { accountId: A.accountId, storeId: store.id, poolId: A.poolId, productId: "P1", variantId: null, title: "Alpha pool", unitsPerItem: 1, syncStock: false });
      await stockPool(s, A.accountId, A.poolId, ["ALPHA-RETAIL-0001"]);
      storeOrderId = (await applyHostOrder(s, store, paidOrder({ id: "4242", quantity: 1, email: "retail@example.com" }))).orderId;
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    it("the page shows the profile, price, balance, token prefix; the list page links to it", async () => {
      await changeResellerBalance(s, A.accountId, { resellerId: A.resellerId, kind: "topup", amount: "10", note: "first wire" }, cli);
      const res = await A.b.get(url(A));
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain("Alpha Wholesale");
      expect(page).toContain("buyer@alpha.example");
      expect(page).toContain("$2.50");
      expect(page).toContain("$10.00");
      expect(page).toContain("first wire");
      const token = await s.db.selectFrom("reseller_tokens").select("prefix").where("id", "=", A.tokenId).executeTakeFirstOrThrow();
      expect(page).toContain(token.prefix!);
      expect(await (await A.b.get("/admin/resellers")).text()).toContain(`href="/admin/resellers/${A.resellerId}"`);
      // In Chinese too.
      const zh = await (await A.b.get(url(A), { "accept-language": "zh-CN" })).text();
      expect(zh).toContain("价格表");
    });

    it("top-up, adjustment and credit limit move the balance and the ledger, each audited", async () => {
      const before = (await reseller(A.resellerId)).balance_minor;
      const top = await post(A, url(A), { intent: "topup", amount: "500", note: "wire 17" });
      expect(top.status).toBe(200);
      expect(Number((await reseller(A.resellerId)).balance_minor)).toBe(Number(before) + 50_000);
      const adj = await post(A, url(A), { intent: "adjust", amount: "-5.25", note: "bank fee" });
      expect(adj.status).toBe(200);
      expect(Number((await reseller(A.resellerId)).balance_minor)).toBe(Number(before) + 50_000 - 525);
      const entries = await s.db.selectFrom("reseller_ledger").select(["kind", "amount_minor", "reason"]).where("reseller_id", "=", A.resellerId).orderBy("id", "desc").limit(2).execute();
      expect(entries.map((e) => [e.kind, Number(e.amount_minor), e.reason])).toEqual([
        ["adjustment", -525, "bank fee"],
        ["topup", 50_000, "wire 17"],
      ]);
      expect(await audits(A.accountId, "reseller.balance_topup")).not.toHaveLength(0);
      expect((await audits(A.accountId, "reseller.balance_adjustment")).map((a) => a.actor_type)).toEqual(["admin"]);
      expect((await post(A, url(A), { intent: "credit-limit", creditLimit: "100" })).status).toBe(200);
      expect(Number((await reseller(A.resellerId)).credit_limit_minor)).toBe(10_000);
      expect(JSON.parse((await audits(A.accountId, "reseller.credit_limit_set"))[0]!.details!)).toEqual({ from: 0, to: 10_000 });
      // The page shows the ledger newest first.
      const page = await (await A.b.get(url(A))).text();
      expect(page.indexOf("bank fee")).toBeLessThan(page.indexOf("wire 17"));
    });

    it("price set, change and remove: decimal in, minor units stored, audited", async () => {
      expect((await post(A, url(A), { intent: "price-set", poolId: A.otherPoolId, price: "12.50" })).status).toBe(200);
      const price = () => s.db.selectFrom("reseller_prices").select("price_minor").where("reseller_id", "=", A.resellerId).where("pool_id", "=", A.otherPoolId).executeTakeFirst();
      expect(Number((await price())!.price_minor)).toBe(1250);
      expect((await post(A, url(A), { intent: "price-set", poolId: A.otherPoolId, price: "9.99" })).status).toBe(200);
      expect(Number((await price())!.price_minor)).toBe(999);
      expect((await post(A, url(A), { intent: "price-remove", poolId: A.otherPoolId })).status).toBe(200);
      expect(await price()).toBeUndefined();
      expect(await audits(A.accountId, "reseller.price_set")).toHaveLength(3);
      expect(JSON.parse((await audits(A.accountId, "reseller.price_removed"))[0]!.details!)).toEqual({ poolId: A.otherPoolId });
      // Removing what is not on the list is a 404.
      expect((await post(A, url(A), { intent: "price-remove", poolId: A.otherPoolId })).status).toBe(404);
    });

    it("profile edit saves name, email and limits and audits what changed", async () => {
      const res = await post(A, url(A), { intent: "profile", name: "Alpha Wholesale Ltd", email: "Orders@Alpha.example", maxUnitsPerOrder: "50", maxUnitsPerDay: "", ratePerSecond: "5", rateBurst: "20" });
      expect(res.status).toBe(200);
      const r = await reseller(A.resellerId);
      expect([r.name, r.email, r.max_units_per_order, r.max_units_per_day, r.rate_per_second, r.rate_burst, r.currency]).toEqual(["Alpha Wholesale Ltd", "orders@alpha.example", 50, null, 5, 20, "USD"]);
      expect(JSON.parse((await audits(A.accountId, "reseller.updated"))[0]!.details!)).toEqual({ changed: { name: "Alpha Wholesale Ltd", email: "orders@alpha.example", max_units_per_order: 50, rate_per_second: 5, rate_burst: 20 } });
      await post(A, url(A), { intent: "profile", name: "Alpha Wholesale", email: "buyer@alpha.example", maxUnitsPerOrder: "", maxUnitsPerDay: "", ratePerSecond: "", rateBurst: "" });
    });

    it("a token is created with its scopes and expiry, shown once (no-store), stored as a hash; revoke stamps it", async () => {
      const res = await post(A, url(A), { intent: "token-create", name: "Shop sync", scopes: "catalog:read,orders:write", expires: "2099-12-31" });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toContain("no-store");
      const answer = decode(await res.text());
      const token = answer.token as string;
      expect(token).toMatch(/^kr_live_/);
      const summary = answer.summary as { id: string; prefix: string };
      const row = await s.db.selectFrom("reseller_tokens").selectAll().where("id", "=", summary.id).executeTakeFirstOrThrow();
      expect([row.scopes, row.name, new Date(row.expires_at!).toISOString()]).toEqual(["catalog:read orders:write", "Shop sync", "2099-12-31T23:59:59.999Z"]);
      expect(JSON.stringify(row)).not.toContain(token);
      expect(JSON.stringify(await s.db.selectFrom("audit_log").select("details").where("account_id", "=", A.accountId).execute())).not.toContain(token);
      // The page lists it by prefix, never the token.
      const page = await (await A.b.get(url(A))).text();
      expect(page).toContain(summary.prefix);
      expect(page).not.toContain(token);
      expect((await post(A, url(A), { intent: "token-revoke", tokenId: summary.id })).status).toBe(200);
      expect((await s.db.selectFrom("reseller_tokens").select("revoked_at").where("id", "=", summary.id).executeTakeFirstOrThrow()).revoked_at).not.toBeNull();
      expect((await audits(A.accountId, "reseller.token_revoked")).map((a) => a.subject_id)).toEqual([summary.id]);
    });

    it("the sandbox checkbox makes a kr_test_ token", async () => {
      const res = await post(A, url(A), { intent: "token-create", scopes: "catalog:read,orders:write", mode: "test" });
      const answer = decode(await res.text());
      expect(answer.token as string).toMatch(/^kr_test_/);
      const row = await s.db.selectFrom("reseller_tokens").select("mode").where("id", "=", (answer.summary as { id: string }).id).executeTakeFirstOrThrow();
      expect(row.mode).toBe("test");
    });

    const bad: [string, Record<string, string>, string][] = [
      ["topup with 3 decimals", { intent: "topup", amount: "12.505" }, "amount"],
      ["topup of text", { intent: "topup", amount: "lots" }, "amount"],
      ["negative top-up", { intent: "topup", amount: "-5" }, "amount"],
      ["adjustment without a reason", { intent: "adjust", amount: "-1", note: " " }, "note"],
      ["adjustment below the credit limit", { intent: "adjust", amount: "-100000", note: "oops" }, "amount"],
      ["price of text", { intent: "price-set", poolId: "", price: "twelve" }, "price"],
      ["empty price", { intent: "price-set", poolId: "", price: "" }, "price"],
      ["negative credit limit", { intent: "credit-limit", creditLimit: "-10" }, "creditLimit"],
      ["credit limit with cents beyond the currency", { intent: "credit-limit", creditLimit: "1.001" }, "creditLimit"],
      ["empty name", { intent: "profile", name: " ", email: "a@b.example" }, "name"],
      ["bad email", { intent: "profile", name: "X", email: "not-an-email" }, "email"],
      ["zero units per order", { intent: "profile", name: "X", email: "a@b.example", maxUnitsPerOrder: "0" }, "maxUnitsPerOrder"],
      ["units per day of text", { intent: "profile", name: "X", email: "a@b.example", maxUnitsPerDay: "many" }, "maxUnitsPerDay"],
      ["burst below the rate", { intent: "profile", name: "X", email: "a@b.example", ratePerSecond: "10", rateBurst: "5" }, "rateBurst"],
      ["token without scopes", { intent: "token-create", scopes: "" }, "scopes"],
      ["token with an unknown scope", { intent: "token-create", scopes: "catalog:read,keys:steal" }, "scopes"],
      ["token expiring in the past", { intent: "token-create", scopes: "catalog:read", expires: "2020-01-01" }, "expires"],
      ["token expiring on no date", { intent: "token-create", scopes: "catalog:read", expires: "soon" }, "expires"],
    ];
    it.each(bad)("bad input (%s): 400 naming the field, nothing changed", async (_label, fields, field) => {
      const f = { ...fields, ...(fields.intent === "price-set" ? { poolId: A.otherPoolId } : {}) };
      const before = await snapshot(A.accountId);
      const res = await post(A, url(A), f);
      expect(res.status).toBe(400);
      const answer = decode(await res.text());
      expect(answer.ok).toBe(false);
      expect((answer.error as { field?: string }).field).toBe(field);
      expect(await snapshot(A.accountId)).toBe(before);
    });

    it("another account's owner: 404 on the page and on every action, nothing of the other changed", async () => {
      expect((await B.b.get(url(A))).status).toBe(404);
      const forms: Record<string, string>[] = [
        { intent: "profile", name: "Taken", email: "x@y.example" },
        { intent: "price-set", poolId: A.poolId, price: "0.01" },
        { intent: "price-remove", poolId: A.poolId },
        { intent: "topup", amount: "1000" },
        { intent: "adjust", amount: "-1", note: "x" },
        { intent: "credit-limit", creditLimit: "999999" },
        { intent: "token-create", scopes: "catalog:read" },
        { intent: "token-revoke", tokenId: A.tokenId },
        { intent: "suspend" },
        { intent: "portal-invite", email: "taken@bravo.example" },
      ];
      const before = await snapshot(A.accountId);
      for (const f of forms) {
        const res = await post(B, url(A), f);
        expect(res.status, f.intent).toBe(404);
        expect(await res.text()).not.toContain("Alpha");
      }
      // Through B's own reseller with A's token or A's pool: still 404, nothing changed.
      expect((await post(B, url(B), { intent: "token-revoke", tokenId: A.tokenId })).status).toBe(404);
      expect((await post(B, url(B), { intent: "price-set", poolId: A.poolId, price: "1.00" })).status).toBe(404);
      expect((await post(B, url(B), { intent: "price-remove", poolId: A.poolId })).status).toBe(404);
      expect(await snapshot(A.accountId)).toBe(before);
      expect(await s.db.selectFrom("reseller_invitations").select("id").where("reseller_id", "=", A.resellerId).execute()).toEqual([]);
      // And A's own page with a token of A's other reseller is refused too: a page changes only its reseller.
      const other = await createReseller(s, A.accountId, { name: "Alpha Second", email: "second@alpha.example", currency: "USD" }, cli);
      const otherToken = await createResellerToken(s, A.accountId, { resellerId: other.id, scopes: "catalog:read" }, cli);
      const mid = await snapshot(A.accountId);
      expect((await post(A, url(A), { intent: "token-revoke", tokenId: otherToken.summary.id })).status).toBe(404);
      expect(await snapshot(A.accountId)).toBe(mid);
    });

    it("the page invites the reseller's person to the portal (for this reseller, whatever the form says), audited; a bad email names the field", async () => {
      const sent = await post(A, url(A), { intent: "portal-invite", email: "buyer@alpha.example", resellerId: B.resellerId, locale: "en" });
      expect(sent.status).toBe(200);
      const invitations = await s.db.selectFrom("reseller_invitations").select(["reseller_id", "email"]).where("email", "=", "buyer@alpha.example").execute();
      expect(invitations).toEqual([{ reseller_id: A.resellerId, email: "buyer@alpha.example" }]);
      expect(await audits(A.accountId, "reseller.portal_invited")).toHaveLength(1);
      const bad = await post(A, url(A), { intent: "portal-invite", email: "not-an-email" });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain("email");
      expect(await s.db.selectFrom("reseller_invitations").select("id").where("reseller_id", "=", A.resellerId).execute()).toHaveLength(1);
    });

    it("a role without resellers.manage (support): 403 on the page and its actions, nothing changed", async () => {
      expect((await support.b.get(url(A))).status).toBe(403);
      const before = await snapshot(A.accountId);
      const forms: Record<string, string>[] = [{ intent: "topup", amount: "5" }, { intent: "token-create", scopes: "catalog:read" }, { intent: "price-remove", poolId: A.poolId }];
      for (const f of forms) {
        const res = await post(support, url(A), f);
        expect(res.status, f.intent).toBe(403);
        expect(await res.text()).toContain("forbidden");
      }
      // The 403s of a sensitive permission are audited; nothing else changed.
      const after = JSON.parse(await snapshot(A.accountId)) as string[][];
      const was = JSON.parse(before) as string[][];
      expect(after.slice(0, 4)).toEqual(was.slice(0, 4));
      expect(after[4]!.filter((r) => !was[4]!.includes(r)).every((r) => r.includes("access.denied"))).toBe(true);
    });

    it("ledger and orders are paged newest first; orders link to the order page", async () => {
      const r = await createReseller(s, A.accountId, { name: "Alpha Paged", email: "paged@alpha.example", currency: "USD" }, cli);
      for (let i = 1; i <= 23; i++) await changeResellerBalance(s, A.accountId, { resellerId: r.id, kind: "topup", amount: String(i), note: `wire-${String(i).padStart(2, "0")}` }, cli);
      const ids: string[] = [];
      for (let i = 1; i <= 22; i++) {
        const at = new Date(Date.UTC(2026, 10, i, 12)).toISOString();
        ids.push((await insertResellerOrder(s.db, { accountId: A.accountId, resellerId: r.id, poolId: A.poolId, poolName: "Alpha pool", quantity: 1, unitPriceMinor: 250, currency: "USD", reference: `REF-${String(i).padStart(2, "0")}` }, at)).order.id);
      }
      const first = await (await A.b.get(`/admin/resellers/${r.id}`)).text();
      expect(first).toContain("wire-23");
      expect(first).toContain("wire-04");
      expect(first).not.toContain("wire-03");
      expect(first).toContain("REF-22");
      expect(first).toContain("REF-03");
      expect(first).not.toContain("REF-02");
      expect(first).toContain(`href="/admin/orders/${ids[21]}"`);
      const ledgerNext = /ledgerBefore=(\d+)/.exec(first)![1];
      const ordersNext = /ordersBefore=([^"&]+)/.exec(first)![1]!.replace(/&amp;/g, "&");
      const second = await (await A.b.get(`/admin/resellers/${r.id}?ledgerBefore=${ledgerNext}&ordersBefore=${ordersNext}`)).text();
      expect(second).toContain("wire-03");
      expect(second).toContain("wire-01");
      expect(second).not.toContain("wire-04");
      expect(second).toContain("REF-02");
      expect(second).toContain("REF-01");
      expect(second).not.toContain("REF-03");
      // A reseller's order opens as an order, marked with its reseller and reference; the link to the reseller only for a role that may open it.
      const order = await A.b.get(`/admin/orders/${ids[0]}`);
      expect(order.status).toBe(200);
      const orderPage = await order.text();
      expect(orderPage).toContain("Reseller · Alpha Paged");
      expect(orderPage).toContain("Order REF-01");
      expect(orderPage).toContain(`href="/admin/resellers/${r.id}"`);
      const asSupport = await (await support.b.get(`/admin/orders/${ids[0]}`)).text();
      expect(asSupport).toContain("Reseller · Alpha Paged");
      expect(asSupport).not.toContain(`href="/admin/resellers/${r.id}"`);
    });

    it("the Orders list marks reseller orders with the reseller's name and filters Reseller / Retail", async () => {
      const all = await (await A.b.get("/admin/orders")).text();
      expect(all).toContain("Reseller · Alpha Paged");
      expect(all).toContain("retail@example.com");
      const resellerOnly = await (await A.b.get("/admin/orders?channel=reseller")).text();
      expect(resellerOnly).toContain("Reseller · Alpha Paged");
      expect(resellerOnly).not.toContain("retail@example.com");
      // The filter itself, by its labels.
      for (const label of ["All orders", "Reseller orders", "Retail"]) expect(resellerOnly).toContain(`>${label}<`);
      const retail = await (await A.b.get("/admin/orders?channel=retail")).text();
      expect(retail).toContain("retail@example.com");
      expect(retail).not.toContain("Reseller · ");
      expect(retail).toContain(storeOrderId);
      // Another account's list shows none of these.
      const other = await (await B.b.get("/admin/orders?channel=reseller")).text();
      expect(other).not.toContain("Alpha");
      expect((await A.b.get("/admin/orders?channel=reseller", { "accept-language": "zh-CN" })).ok).toBe(true);
    });
  });
}
