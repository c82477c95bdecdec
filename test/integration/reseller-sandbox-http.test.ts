import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResellerToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { resellerApiClient, type ResellerApiClient } from "../support/reseller-api-client.ts";
import { ALL_SCOPES, cli, makeReseller, type ResellerSetup } from "../support/reseller-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Sandbox (kr_test_) tokens over HTTP against the production build, on each database: orders get
 * fake TEST- keys and change nothing real (keys, allocations, orders, balance, ledger); live and
 * sandbox orders never see each other; another reseller's test token gets 404; Idempotency-Key
 * replay / mismatch as live. Every answer is checked against the served OpenAPI document.
 */

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reseller sandbox over HTTP on ${dialect}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let api: ResellerApiClient;

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { RESELLER_API_RATE_PER_SECOND: "100000", RESELLER_API_BURST: "100000" } });
      http = await startHttp(s);
      api = await resellerApiClient(http.url);
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    const call = (method: string, path: string, opts: { token: string; body?: unknown; key?: string }) => api.call(method, path, opts);
    const testToken = async (r: ResellerSetup) => (await createResellerToken(s, r.accountId, { resellerId: r.resellerId, scopes: ALL_SCOPES, mode: "test" }, cli)).token;

    /** Everything real a sandbox order must leave alone. */
    async function realState(r: ResellerSetup) {
      const keys = await s.db.selectFrom("keys").select(["id", "state"]).where("pool_id", "=", r.poolId).orderBy("id").execute();
      const allocations = await s.db.selectFrom("allocations").selectAll().where("account_id", "=", r.accountId).execute();
      const orders = await s.db.selectFrom("orders").select(["id", "status"]).where("account_id", "=", r.accountId).orderBy("id").execute();
      const ledger = await s.db.selectFrom("reseller_ledger").select(["id", "amount_minor"]).where("reseller_id", "=", r.resellerId).orderBy("id").execute();
      const reseller = await s.db.selectFrom("resellers").select(["balance_minor"]).where("id", "=", r.resellerId).executeTakeFirstOrThrow();
      return { keys, allocations: allocations.length, orders, ledger, balance: Number(reseller.balance_minor) };
    }

    it("a sandbox order gets TEST- keys, livemode false, and changes nothing real", async () => {
      const r = await makeReseller(s, { stock: 3, price: "2.50", topup: "10" });
      const live = await call("POST", "/api/v1/orders", { token: r.token, key: "live-1", body: { pool: r.poolId, quantity: 1 } });
      expect(live.body).toMatchObject({ status: "fulfilled", livemode: true });
      const test = await testToken(r);
      const before = await realState(r);
      const cat = await call("GET", "/api/v1/catalog", { token: test });
      expect(cat.body.data).toEqual([expect.objectContaining({ id: r.poolId, price_minor: 250, available: 10000 })]);

      const placed = await call("POST", "/api/v1/orders", { token: test, key: "sbx-1", body: { pool: r.poolId, quantity: 5, reference: "PO-T" } });
      expect(placed.status).toBe(201);
      expect(placed.body).toMatchObject({ livemode: false, status: "fulfilled", quantity: 5, total_minor: 1250, reference: "PO-T", backordered_units: 0 });
      expect(placed.body.keys).toHaveLength(5);
      for (const k of placed.body.keys) expect(k.code).toMatch(/^TEST-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      // More than the pool's 2 real keys left: the sandbox's stock is its own.
      expect(await realState(r)).toEqual(before);
      expect(await call("GET", "/api/v1/balance", { token: test })).toMatchObject({ body: { livemode: false, balance_minor: 100000000 } });
      expect((await call("GET", "/api/v1/balance/entries", { token: test })).body).toEqual({ data: [], next_cursor: null });
      expect((await call("GET", "/api/v1/balance", { token: r.token })).body).toMatchObject({ livemode: true, balance_minor: 750 });
      expect((await call("GET", "/api/v1/catalog", { token: r.token })).body.data[0].available).toBe(2);
      expect(await s.db.selectFrom("jobs").select("id").where("queue", "=", "reseller-webhook").execute()).toEqual([]);
    });

    it("live and sandbox orders never see each other; another reseller's test token gets 404", async () => {
      const r = await makeReseller(s, { stock: 2, topup: "10" });
      const test = await testToken(r);
      const live = await call("POST", "/api/v1/orders", { token: r.token, key: "k", body: { pool: r.poolId, quantity: 1 } });
      const sbx = await call("POST", "/api/v1/orders", { token: test, key: "k", body: { pool: r.poolId, quantity: 1 } });
      expect(sbx.status).toBe(201);
      expect(sbx.body.id).not.toBe(live.body.id);
      expect((await call("GET", "/api/v1/orders", { token: r.token })).body.data.map((o: { id: string }) => o.id)).toEqual([live.body.id]);
      expect((await call("GET", "/api/v1/orders", { token: test })).body.data.map((o: { id: string }) => o.id)).toEqual([sbx.body.id]);
      expect((await call("GET", `/api/v1/orders/${sbx.body.id}`, { token: r.token })).status).toBe(404);
      expect((await call("GET", `/api/v1/orders/${live.body.id}`, { token: test })).status).toBe(404);
      expect((await call("GET", `/api/v1/orders/${sbx.body.id}`, { token: test })).body.keys).toEqual(sbx.body.keys);

      const other = await makeReseller(s, { accountId: r.accountId, poolId: r.poolId });
      const otherTest = await testToken(other);
      expect((await call("GET", `/api/v1/orders/${sbx.body.id}`, { token: otherTest })).body).toMatchObject({ status: 404, code: "order_not_found" });
      expect((await call("GET", "/api/v1/orders", { token: otherTest })).body.data).toEqual([]);
      // The same Idempotency-Key of another reseller is its own.
      expect((await call("POST", "/api/v1/orders", { token: otherTest, key: "k", body: { pool: r.poolId, quantity: 2 } })).status).toBe(201);
      expect((await call("GET", `/api/v1/orders/${sbx.body.id}`, { token: test })).body.quantity).toBe(1);
    });

    it("Idempotency-Key on the sandbox: replay, 422 on another body; refusals are the key's answer", async () => {
      const r = await makeReseller(s, { stock: 1, limits: { maxUnitsPerOrder: 3 } });
      const test = await testToken(r);
      const first = await call("POST", "/api/v1/orders", { token: test, key: "idem", body: { pool: r.poolId, quantity: 2 } });
      const again = await call("POST", "/api/v1/orders", { token: test, key: "idem", body: { pool: r.poolId, quantity: 2 } });
      expect(again.status).toBe(201);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.body).toEqual(first.body);
      expect((await call("POST", "/api/v1/orders", { token: test, key: "idem", body: { pool: r.poolId, quantity: 1 } })).body).toMatchObject({ status: 422, code: "idempotency_mismatch" });
      expect((await call("GET", "/api/v1/orders", { token: test })).body.data).toHaveLength(1);
      expect((await call("POST", "/api/v1/orders", { token: test, key: "big", body: { pool: r.poolId, quantity: 4 } })).body).toMatchObject({ status: 422, code: "order_limit_exceeded" });
      const replayedRefusal = await call("POST", "/api/v1/orders", { token: test, key: "big", body: { pool: r.poolId, quantity: 4 } });
      expect(replayedRefusal.body).toMatchObject({ status: 422, code: "order_limit_exceeded" });
      expect((await call("POST", "/api/v1/orders", { token: test, key: "other-pool", body: { pool: "nope", quantity: 1 } })).body).toMatchObject({ status: 403, code: "pool_not_allowed" });
      // The live side's same key is untouched by the sandbox's.
      const liveToken = r.token;
      expect((await call("POST", "/api/v1/orders", { token: liveToken, key: "idem", body: { pool: r.poolId, quantity: 1 } })).body).toMatchObject({ code: "insufficient_balance" });
    });
  });
}
