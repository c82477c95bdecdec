import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { createResellerToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import { addRiskListEntry } from "../../app/.server/use-cases/manage-risk-lists.ts";
import { addRiskRule, ensureRuleSet } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { approveHeldOrder, denyHeldOrder, listHeldOrders } from "../../app/.server/use-cases/review-held-order.ts";
import { reviewQueue } from "../../app/.server/use-cases/review-queue.ts";
import { changeResellerBalance } from "../../app/.server/use-cases/reseller-balance.ts";
import { fillBackorders } from "../../app/.server/use-cases/fill-backorders.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { invitedPortalUser } from "../support/portal-fixtures.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { resellerApiClient, type ResellerApiClient } from "../support/reseller-api-client.ts";
import { ALL_SCOPES, cli, makeReseller, type ResellerSetup } from "../support/reseller-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Reseller orders pass through the account's risk rules (issue 13 item 6), over HTTP against the
 * production build, on each database: review → 201 in_review without keys, in the queue; approve →
 * keys over the API and one order.fulfilled; deny → keys back to stock, the total credited back
 * once (a ledger credit), order.denied; block → 403 order_blocked and nothing changed (every
 * table); another account's admin gets 404 and changes nothing. Answers checked against the
 * served OpenAPI document.
 */
const PASSWORD = "Quasar-Tangerine-Wobble-8142";

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reseller orders through the risk rules on ${dialect}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let api: ResellerApiClient;

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { RESELLER_API_RATE_PER_SECOND: "100000", RESELLER_API_BURST: "100000", RESELLER_WEBHOOKS_ALLOW_HTTP: "on", TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100" } });
      http = await startHttp(s);
      api = await resellerApiClient(http.url);
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    const call = (method: string, path: string, opts: { token: string; body?: unknown; key?: string }) => api.call(method, path, opts);

    /** A reseller (own account, 5 keys, 10.00 on its balance, 2.50 a key) with a webhook endpoint and the account's rule. */
    async function setup(rule: { when: string; then: "review" | "block" | "allow" }): Promise<ResellerSetup> {
      const r = await makeReseller(s, { stock: 5, topup: "10", price: "2.50" });
      await addRiskRule(s, r.accountId, { ...rule, name: "Reseller rule" }, cli);
      expect((await call("POST", "/api/v1/webhook-endpoints", { token: r.token, body: { url: "http://127.0.0.1:9/hook" } })).status).toBe(201);
      return r;
    }
    const balance = async (r: ResellerSetup) => Number((await s.db.selectFrom("resellers").select("balance_minor").where("id", "=", r.resellerId).executeTakeFirstOrThrow()).balance_minor);
    const availableKeys = async (r: ResellerSetup) => Number((await s.db.selectFrom("keys").select((eb) => eb.fn.countAll<number>().as("n")).where("pool_id", "=", r.poolId).where("state", "=", "available").executeTakeFirstOrThrow()).n);
    const events = async (r: ResellerSetup) => (await s.db.selectFrom("reseller_webhook_deliveries").select("event_type").where("reseller_id", "=", r.resellerId).orderBy("id").execute()).map((e) => e.event_type);
    const ledger = async (r: ResellerSetup) => (await s.db.selectFrom("reseller_ledger").select(["kind", "amount_minor", "order_id", "reason"]).where("reseller_id", "=", r.resellerId).orderBy("id").execute()).map((e) => ({ ...e, amount_minor: Number(e.amount_minor) }));

    /** Every table's rows (the idempotency row and the token's last use are the request's own bookkeeping). */
    async function snapshot() {
      const tables = (await s.db.introspection.getTables()).map((t) => t.name).filter((n) => !/^kysely_|^reseller_idempotency_keys$|^reseller_tokens$/.test(n)).sort();
      const out: Record<string, unknown[]> = {};
      for (const t of tables) out[t] = (await s.db.selectFrom(t as never).selectAll().execute()).map((row) => JSON.stringify(row)).sort();
      return out;
    }

    it("review: 201 in_review without keys, charged, claimed, in the queue; approve shows the keys over the API and sends order.fulfilled once", async () => {
      const r = await setup({ when: "platform = reseller and keys >= 2", then: "review" });
      const small = await call("POST", "/api/v1/orders", { token: r.token, key: "small", body: { pool: r.poolId, quantity: 1 } });
      expect(small.body).toMatchObject({ status: "fulfilled", keys: [expect.objectContaining({ code: expect.any(String) })] });

      const placed = await call("POST", "/api/v1/orders", { token: r.token, key: "big", body: { pool: r.poolId, quantity: 2, reference: "PO-R" } });
      expect(placed.status).toBe(201);
      expect(placed.body).toMatchObject({ status: "in_review", livemode: true, quantity: 2, total_minor: 500, keys: [], backordered_units: 0 });
      const id = placed.body.id as string;
      // Charged, and the claim stands (stock counts the keys as sold).
      expect(await balance(r)).toBe(1000 - 250 - 500);
      expect(await availableKeys(r)).toBe(2);
      expect((await call("GET", "/api/v1/catalog", { token: r.token })).body.data[0].available).toBe(2);
      expect(await events(r)).toEqual(["order.fulfilled"]);
      const got = await call("GET", `/api/v1/orders/${id}`, { token: r.token });
      expect(got.body).toMatchObject({ status: "in_review", keys: [] });
      expect((await call("GET", "/api/v1/orders", { token: r.token })).body.data.find((o: { id: string }) => o.id === id).status).toBe("in_review");
      // A replay of the key says the same, still without keys.
      const replay = await call("POST", "/api/v1/orders", { token: r.token, key: "big", body: { pool: r.poolId, quantity: 2, reference: "PO-R" } });
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(replay.body).toMatchObject({ status: "in_review", keys: [] });
      // In the merchant's queue, with the reseller's facts.
      const held = await listHeldOrders(s, r.accountId);
      expect(held.map((h) => h.orderId)).toEqual([id]);
      expect(held[0]!.facts).toMatchObject({ platform: "reseller", customerId: r.resellerId, email: "buyer@reseller.example", keys: 2, totalMinor: 500, currency: "USD" });
      expect((await reviewQueue(s, r.accountId)).orders.map((o) => o.orderId)).toEqual([id]);

      await approveHeldOrder(s, r.accountId, id, cli, "known reseller");
      const after = await call("GET", `/api/v1/orders/${id}`, { token: r.token });
      expect(after.body.status).toBe("fulfilled");
      expect(after.body.keys).toHaveLength(2);
      expect(await events(r)).toEqual(["order.fulfilled", "order.fulfilled"]);
      const delivered = await s.db.selectFrom("keys").select("state").where("pool_id", "=", r.poolId).where("state", "=", "delivered").execute();
      expect(delivered).toHaveLength(3);
      // Approved twice: the second is refused, no second webhook.
      await expect(approveHeldOrder(s, r.accountId, id, cli, "again")).rejects.toMatchObject({ code: "risk_order_not_held" });
      expect(await events(r)).toEqual(["order.fulfilled", "order.fulfilled"]);
      expect(await s.db.selectFrom("audit_log").select("id").where("action", "=", "risk.order_approved").where("subject_id", "=", id).execute()).toHaveLength(1);
      expect(await listHeldOrders(s, r.accountId)).toEqual([]);
    });

    it("deny: keys back to stock, the total credited back exactly once (two denies at once), status denied, order.denied", async () => {
      const r = await setup({ when: "platform = reseller", then: "review" });
      const placed = await call("POST", "/api/v1/orders", { token: r.token, key: "d1", body: { pool: r.poolId, quantity: 3 } });
      expect(placed.body).toMatchObject({ status: "in_review", keys: [] });
      const id = placed.body.id as string;
      expect(await balance(r)).toBe(250);
      expect(await availableKeys(r)).toBe(2);

      const both = await Promise.allSettled([denyHeldOrder(s, r.accountId, id, cli, "fraud", { cancel: false, refund: true, restock: false }), denyHeldOrder(s, r.accountId, id, cli, "fraud")]);
      expect(both.filter((x) => x.status === "fulfilled")).toHaveLength(1);
      expect(both.find((x) => x.status === "rejected")).toMatchObject({ reason: { code: "risk_order_not_held" } });
      expect(await balance(r)).toBe(1000);
      expect(await availableKeys(r)).toBe(5);
      expect(await ledger(r)).toEqual([
        { kind: "topup", amount_minor: 1000, order_id: null, reason: expect.anything() },
        { kind: "debit", amount_minor: -750, order_id: id, reason: null },
        { kind: "credit", amount_minor: 750, order_id: id, reason: "refund" },
      ]);
      const got = await call("GET", `/api/v1/orders/${id}`, { token: r.token });
      expect(got.body).toMatchObject({ status: "denied", keys: [] });
      expect(await events(r)).toEqual(["order.denied"]);
      expect((await call("GET", "/api/v1/balance/entries", { token: r.token })).body.data[0]).toMatchObject({ amount_minor: 750 });
      expect(await s.db.selectFrom("jobs").select("id").where("queue", "=", "cancel-host-order").where("account_id", "=", r.accountId).execute()).toEqual([]);
      const audit = await s.db.selectFrom("audit_log").select("details").where("action", "=", "risk.order_denied").where("subject_id", "=", id).execute();
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.details as string)).toMatchObject({ creditedMinor: 750, resellerId: r.resellerId, hostCancel: null });
    });

    it("block: 403 order_blocked, nothing charged or claimed (every table unchanged); the Idempotency-Key keeps the refusal; sandbox orders never reach the rules", async () => {
      const r = await setup({ when: "platform = reseller", then: "block" });
      const before = await snapshot();
      const refused = await call("POST", "/api/v1/orders", { token: r.token, key: "b1", body: { pool: r.poolId, quantity: 2 } });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: "order_blocked", type: "urn:keyrelay:problem:order_blocked" });
      expect(await snapshot()).toEqual(before);
      const again = await call("POST", "/api/v1/orders", { token: r.token, key: "b1", body: { pool: r.poolId, quantity: 2 } });
      expect(again.body).toMatchObject({ status: 403, code: "order_blocked" });
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(await snapshot()).toEqual(before);
      expect(await balance(r)).toBe(1000);
      expect(await availableKeys(r)).toBe(5);
      // A kr_test_ order has no real keys: the rules never see it.
      const test = (await createResellerToken(s, r.accountId, { resellerId: r.resellerId, scopes: ALL_SCOPES, mode: "test" }, cli)).token;
      expect((await call("POST", "/api/v1/orders", { token: test, key: "t1", body: { pool: r.poolId, quantity: 2 } })).body).toMatchObject({ status: "fulfilled", livemode: false });
    });

    it("the default rules leave a reseller's wholesale volume alone (its email and IP repeat on every order), and still block a listed reseller", async () => {
      const r = await makeReseller(s, { stock: 20, topup: "100", price: "1.00" });
      await ensureRuleSet(s.db, r.accountId, new Date().toISOString());
      const statuses: string[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await call("POST", "/api/v1/orders", { token: r.token, key: `v${i}`, body: { pool: r.poolId, quantity: 1 } })).body.status);
      // The same velocity from a retail buyer's email would be held from the 11th key on.
      expect(statuses).toEqual(Array(12).fill("fulfilled"));
      await addRiskListEntry(s, r.accountId, { kind: "customer", value: r.resellerId, action: "block" }, cli);
      const blocked = await call("POST", "/api/v1/orders", { token: r.token, key: "v-blocked", body: { pool: r.poolId, quantity: 1 } });
      expect(blocked.status).toBe(403);
      expect(blocked.body).toMatchObject({ code: "order_blocked" });
    });

    it("the account's own admin sees the held reseller order in the review queue page and approves it there", async () => {
      const r = await setup({ when: "platform = reseller", then: "review" });
      const id = (await call("POST", "/api/v1/orders", { token: r.token, key: "q1", body: { pool: r.poolId, quantity: 1 } })).body.id as string;
      const email = `owner-${dialect}@risk-reseller.example`;
      await createAdminUser(s, { email, password: PASSWORD, accountId: r.accountId });
      const b = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.78" }).signedIn(email, PASSWORD);
      const page = await (await b.get("/admin/risk/reviews")).text();
      expect(page).toContain("Reseller rule");
      expect(page).toContain(id.slice(0, 8));
      const res = await b.post("/admin/risk/reviews.data", { csrf: await b.csrf(), intent: "approve", orderId: id, reason: "known reseller" });
      expect(res.status).toBe(200);
      expect((await call("GET", `/api/v1/orders/${id}`, { token: r.token })).body).toMatchObject({ status: "fulfilled", keys: [expect.anything()] });
      expect(await events(r)).toEqual(["order.fulfilled"]);
    });

    it("the portal shows a held order as in review, without keys, and a denied one as declined", async () => {
      const r = await setup({ when: "platform = reseller", then: "review" });
      const id = (await call("POST", "/api/v1/orders", { token: r.token, key: "p1", body: { pool: r.poolId, quantity: 1 } })).body.id as string;
      const b = await invitedPortalUser(s, http.url, r.accountId, r.resellerId, `portal-${dialect}@risk-reseller.example`);
      const held = await (await b.get(`/portal/orders/${id}`)).text();
      expect(held).toContain("The merchant is checking this order");
      expect(held).toContain("In review");
      const csv = await (await b.get(`/portal/orders/${id}/keys?format=csv`)).text();
      expect(csv.replace(/^\uFEFF/, "").trim()).toBe("code");
      await denyHeldOrder(s, r.accountId, id, cli, "no");
      expect(await (await b.get(`/portal/orders/${id}`)).text()).toContain("The merchant declined this order");
    });

    it("a held allow_backorder order: filled units stay hidden and send nothing; approving it sends order.fulfilled once all keys are there", async () => {
      const r = await setup({ when: "platform = reseller", then: "review" });
      await changeResellerBalance(s, r.accountId, { resellerId: r.resellerId, kind: "topup", amount: "10", note: "more" }, cli);
      const placed = await call("POST", "/api/v1/orders", { token: r.token, key: "bo", body: { pool: r.poolId, quantity: 7, allow_backorder: true } });
      expect(placed.body).toMatchObject({ status: "in_review", keys: [], backordered_units: 2 });
      const id = placed.body.id as string;
      await stockPool(s, r.accountId, r.poolId, ["LATE-0001", "LATE-0002"]);
      await fillBackorders(s, { accountId: r.accountId, poolId: r.poolId });
      expect((await call("GET", `/api/v1/orders/${id}`, { token: r.token })).body).toMatchObject({ status: "in_review", keys: [], backordered_units: 0 });
      expect(await events(r)).toEqual([]);
      await approveHeldOrder(s, r.accountId, id, cli, "ok");
      expect((await call("GET", `/api/v1/orders/${id}`, { token: r.token })).body.keys).toHaveLength(7);
      expect(await events(r)).toEqual(["order.fulfilled"]);
    });

    it("another account's admin: 404 on approve and deny of a held reseller order, nothing changed", async () => {
      const r = await setup({ when: "platform = reseller", then: "review" });
      const id = (await call("POST", "/api/v1/orders", { token: r.token, key: "x1", body: { pool: r.poolId, quantity: 1 } })).body.id as string;
      const email = `other-${dialect}@risk-reseller.example`;
      const other = await createAdminUser(s, { email, password: PASSWORD, accountName: "Other merchant" });
      const b = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.77" }).signedIn(email, PASSWORD);
      const csrf = await b.csrf();
      const before = await snapshot();
      for (const intent of ["approve", "deny"]) {
        const res = await b.post("/admin/risk/reviews.data", { csrf, intent, orderId: id, reason: "not mine" });
        expect(res.status).toBe(404);
      }
      await expect(approveHeldOrder(s, other.accountId, id, cli)).rejects.toMatchObject({ code: "risk_order_not_held" });
      await expect(denyHeldOrder(s, other.accountId, id, cli)).rejects.toMatchObject({ code: "risk_order_not_held" });
      const after = await snapshot();
      // Signing in wrote the other admin's session rows; everything of the reseller's account is as it was.
      for (const t of Object.keys(before)) if (!/session|login|audit/.test(t)) expect(after[t], t).toEqual(before[t]);
      expect((await call("GET", `/api/v1/orders/${id}`, { token: r.token })).body).toMatchObject({ status: "in_review", keys: [] });
    });
  });
}
