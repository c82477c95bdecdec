import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setAdminRole } from "../../app/.server/db/repositories/team-repo.ts";
import { authenticateReseller } from "../../app/.server/use-cases/authenticate-reseller.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { createResellerToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { createReseller, setResellerPrice } from "../../app/.server/use-cases/manage-resellers.ts";
import { placeResellerOrder } from "../../app/.server/use-cases/place-reseller-order.ts";
import { changeResellerBalance } from "../../app/.server/use-cases/reseller-balance.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Refunding a reseller's order from the merchant's order page (standalone /admin; /app shares the
 * loader and action): the order's total goes back to the balance, the keys follow the pool's
 * refund policy (revoke), one audit row; a second refund is refused (409) and changes nothing;
 * another account's owner gets a 404 and changes nothing; a support role gets a 403.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const cli = { type: "cli" as const };

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reseller order refund from the order page (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let A: { accountId: string; resellerId: string; orderId: string; b: AdminBrowser; csrf: string };
    let B: { b: AdminBrowser; csrf: string };
    let support: { b: AdminBrowser; csrf: string };

    const refund = (who: { b: AdminBrowser; csrf: string }, orderId: string) => who.b.post(`/admin/orders/${orderId}.data`, { csrf: who.csrf, intent: "reseller-refund" });
    async function snapshot(accountId: string): Promise<string> {
      const out: unknown[] = [];
      for (const t of ["resellers", "reseller_ledger", "orders", "keys", "audit_log"] as const) out.push((await s.db.selectFrom(t).selectAll().where("account_id", "=", accountId).execute()).map((r) => JSON.stringify(r)).sort());
      return JSON.stringify(out);
    }
    const balance = async () => Number((await s.db.selectFrom("resellers").select("balance_minor").where("id", "=", A.resellerId).executeTakeFirstOrThrow()).balance_minor);

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100" } });
      http = await startHttp(s);
      const { accountId } = await createAdminUser(s, { email: "owner@alpha.example", password: PASSWORD, accountName: "Alpha" });
      const pool = await createPool(s, accountId, { name: "Alpha pool", refundPolicy: "revoke" }, cli);
      const r = await createReseller(s, accountId, { name: "Alpha Wholesale", email: "buyer@alpha.example", currency: "USD" }, cli);
      await setResellerPrice(s, accountId, { resellerId: r.id, poolId: pool.id, price: "2.50" }, cli);
      await changeResellerBalance(s, accountId, { resellerId: r.id, kind: "topup", amount: "10", note: "wire" }, cli);
      await stockPool(s, accountId, pool.id, ["ALPHA-REFUND-0001", "ALPHA-REFUND-0002"]);
      const tk = await createResellerToken(s, accountId, { resellerId: r.id, scopes: "orders:write" }, cli);
      const caller = await authenticateReseller(s, `Bearer ${tk.token}`, "127.0.0.1", "orders:write");
      const body = { pool: pool.id, quantity: 2 };
      const orderId = (await placeResellerOrder(s, caller, "refund-http-1", body, body, null)).order.id;
      const b = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.71" }).signedIn("owner@alpha.example", PASSWORD);
      A = { accountId, resellerId: r.id, orderId, b, csrf: await b.csrf() };
      await createAdminUser(s, { email: "owner@bravo.example", password: PASSWORD, accountName: "Bravo" });
      const bb = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.72" }).signedIn("owner@bravo.example", PASSWORD);
      B = { b: bb, csrf: await bb.csrf() };
      const { userId } = await createAdminUser(s, { email: "support@alpha.example", password: PASSWORD, accountId });
      await setAdminRole(s.db, accountId, userId, "support");
      const sb = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.73" }).signedIn("support@alpha.example", PASSWORD);
      support = { b: sb, csrf: await sb.csrf() };
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    it("the order page offers the refund to an owner, in English and Chinese", async () => {
      expect(await (await A.b.get(`/admin/orders/${A.orderId}`)).text()).toContain("Refund reseller order");
      expect(await (await A.b.get(`/admin/orders/${A.orderId}`, { "accept-language": "zh-CN" })).text()).toContain("退款分销订单");
    });

    it("another account's owner gets a 404 and a support role a 403; nothing changes", async () => {
      const before = await snapshot(A.accountId);
      expect((await refund(B, A.orderId)).status).toBe(404);
      expect((await refund(support, A.orderId)).status).toBe(403);
      expect(await snapshot(A.accountId)).toBe(before);
    });

    it("credits the total, revokes the keys, writes one audit row; a second refund is refused and changes nothing", async () => {
      expect(await balance()).toBe(1000 - 500);
      const res = await refund(A, A.orderId);
      expect(res.status).toBe(200);
      expect(await balance()).toBe(1000);
      const order = await s.db.selectFrom("orders").select("status").where("id", "=", A.orderId).executeTakeFirstOrThrow();
      expect(order.status).toBe("refunded");
      const credit = await s.db.selectFrom("reseller_ledger").select(["kind", "amount_minor"]).where("reseller_id", "=", A.resellerId).where("order_id", "=", A.orderId).where("kind", "=", "credit").execute();
      expect(credit.map((c) => Number(c.amount_minor))).toEqual([500]);
      const states = await s.db.selectFrom("keys").select("state").where("account_id", "=", A.accountId).execute();
      expect(states.map((k) => k.state).sort()).toEqual(["revoked", "revoked"]);
      const audit = await s.db.selectFrom("audit_log").select(["actor_type", "details"]).where("account_id", "=", A.accountId).where("action", "=", "reseller.order_refunded").execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor_type).toBe("admin");

      const before = await snapshot(A.accountId);
      const again = await refund(A, A.orderId);
      expect(again.status).toBe(409);
      expect(await snapshot(A.accountId)).toBe(before);
      // The page no longer offers it.
      expect(await (await A.b.get(`/admin/orders/${A.orderId}`)).text()).not.toContain("Refund reseller order");
    });
  });
}
