import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestFingerprint } from "../../app/.server/crypto/reseller-token.ts";
import { ledgerSum } from "../../app/.server/db/repositories/reseller-ledger-repo.ts";
import { canonicalRequest } from "../../app/.server/domain/idempotency.ts";
import { createResellerToken, revokeToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import { setResellerSuspended } from "../../app/.server/use-cases/manage-resellers.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { resellerApiClient, type ApiCall, type ResellerApiClient } from "../support/reseller-api-client.ts";
import { cli, makeReseller, type ResellerSetup } from "../support/reseller-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The reseller API over HTTP against the production build, on each database: every route, the
 * token and scope refusals, other resellers' and accounts' data (404 / 403), the Idempotency-Key
 * cases, concurrency (one key 100 times; 200 orders for the last 20 keys), the rate limit — and
 * every answer checked against the served OpenAPI document (validated with swagger-parser).
 */

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reseller API over HTTP on ${dialect}`, () => {
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

    /** Calls the API and checks the answer against the document's schema for (path, method, status). */
    const call = (method: string, path: string, opts: ApiCall = {}) => api.call(method, path, opts);
    const order = (r: ResellerSetup, key: string, body: Record<string, unknown> = {}) => call("POST", "/api/v1/orders", { token: r.token, key, body: { pool: r.poolId, quantity: 1, ...body } });

    it("serves a valid OpenAPI 3.1 document naming every route", async () => {
      const parsed = await SwaggerParser.validate(structuredClone(api.doc) as never);
      expect((parsed as { openapi: string }).openapi).toBe("3.1.0");
      expect(Object.keys(api.doc.paths).sort()).toEqual(["/api/v1/balance", "/api/v1/balance/entries", "/api/v1/catalog", "/api/v1/orders", "/api/v1/orders/{id}", "/api/v1/webhook-endpoints", "/api/v1/webhook-endpoints/{id}"]);
    });

    it("webhook endpoints: create, list, delete, each answer as documented", async () => {
      const r = await makeReseller(s, { stock: 1 });
      const bad = await call("POST", "/api/v1/webhook-endpoints", { token: r.token, body: { url: "http://plain.example/hook" } });
      expect(bad.status).toBe(400);
      const made = await call("POST", "/api/v1/webhook-endpoints", { token: r.token, body: { url: "https://hooks.example/keyrelay", events: ["order.fulfilled"] } });
      expect(made.status).toBe(201);
      expect((await call("GET", "/api/v1/webhook-endpoints", { token: r.token })).body.data).toHaveLength(1);
      expect((await call("DELETE", `/api/v1/webhook-endpoints/${made.body.id}`, { token: r.token })).status).toBe(200);
      expect((await call("DELETE", `/api/v1/webhook-endpoints/${made.body.id}`, { token: r.token })).status).toBe(404);
    });

    it("catalog, order, order list, balance and ledger: the happy path", async () => {
      const r = await makeReseller(s, { stock: 5, price: "2.50", topup: "20" });
      const cat = await call("GET", "/api/v1/catalog", { token: r.token });
      expect(cat.status).toBe(200);
      expect(cat.headers.get("ratelimit-limit")).toBe("100000");
      expect(cat.body.data).toEqual([expect.objectContaining({ id: r.poolId, price_minor: 250, currency: "USD", available: 5 })]);
      const since = cat.body.data[0].updated_at;
      expect((await call("GET", `/api/v1/catalog?updated_since=${encodeURIComponent(since)}`, { token: r.token })).body.data).toEqual([]);
      const bad = await call("GET", "/api/v1/catalog?updated_since=yesterday", { token: r.token });
      expect(bad).toMatchObject({ status: 400, body: { code: "invalid_body", field: "updated_since", type: "urn:keyrelay:problem:invalid_body" } });
      expect(bad.headers.get("content-type")).toBe("application/problem+json");

      const placed = await order(r, "first", { quantity: 2, reference: "PO-7" });
      expect(placed.status).toBe(201);
      expect(placed.headers.get("location")).toBe(`/api/v1/orders/${placed.body.id}`);
      expect(placed.body).toMatchObject({ status: "fulfilled", quantity: 2, total_minor: 500, reference: "PO-7" });
      expect(placed.body.keys).toHaveLength(2);
      // Stock moved: the change feed shows the pool again, with what is left.
      expect((await call("GET", `/api/v1/catalog?updated_since=${encodeURIComponent(since)}`, { token: r.token })).body.data).toEqual([expect.objectContaining({ available: 3 })]);

      const got = await call("GET", `/api/v1/orders/${placed.body.id}`, { token: r.token });
      expect(got.status).toBe(200);
      expect(got.body.keys).toEqual(placed.body.keys);
      await order(r, "second");
      await order(r, "third");
      const page1 = await call("GET", "/api/v1/orders?limit=2", { token: r.token });
      expect(page1.body.data).toHaveLength(2);
      expect(page1.body.data[0]).not.toHaveProperty("keys");
      const page2 = await call("GET", `/api/v1/orders?limit=2&cursor=${page1.body.next_cursor}`, { token: r.token });
      expect(page2.body).toMatchObject({ next_cursor: null });
      expect(page2.body.data.map((o: { id: string }) => o.id)).toEqual([placed.body.id]);
      expect((await call("GET", "/api/v1/orders?cursor=bogus", { token: r.token })).body).toMatchObject({ code: "invalid_cursor" });

      const bal = await call("GET", "/api/v1/balance", { token: r.token });
      expect(bal.body).toEqual({ livemode: true, balance_minor: 1000, credit_limit_minor: 0, available_minor: 1000, currency: "USD" });
      const e1 = await call("GET", "/api/v1/balance/entries?limit=3", { token: r.token });
      expect(e1.body.data.map((e: { kind: string }) => e.kind)).toEqual(["debit", "debit", "debit"]);
      const e2 = await call("GET", `/api/v1/balance/entries?cursor=${e1.body.next_cursor}`, { token: r.token });
      expect(e2.body.data).toEqual([expect.objectContaining({ kind: "topup", amount_minor: 2000, balance_after_minor: 2000 })]);
      const audit = await s.db.selectFrom("audit_log").select("action").where("account_id", "=", r.accountId).where("action", "=", "reseller.order_keys_read").execute();
      expect(audit).toHaveLength(1);
      // Keys never reach the log.
      expect(s.logLines.join("\n")).not.toContain(placed.body.keys[0].code);
    });

    it("401 for a missing, unknown, revoked or expired token; 403 for scope, suspension, another pool", async () => {
      const r = await makeReseller(s, { stock: 3, topup: "10" });
      for (const token of [null, "kr_live_nope", `${r.token.slice(0, -1)}${r.token.endsWith("A") ? "B" : "A"}`]) {
        const res = await call("GET", "/api/v1/balance", { token });
        expect(res).toMatchObject({ status: 401, body: { code: "unauthorized", type: "urn:keyrelay:problem:unauthorized" } });
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      }
      const readOnly = await createResellerToken(s, r.accountId, { resellerId: r.resellerId, scopes: "catalog:read" }, cli);
      expect((await call("POST", "/api/v1/orders", { token: readOnly.token, key: "x", body: { pool: r.poolId, quantity: 1 } })).body).toMatchObject({ code: "scope_missing", status: 403 });
      expect((await call("GET", "/api/v1/orders", { token: readOnly.token })).status).toBe(403);
      expect((await call("GET", "/api/v1/catalog", { token: readOnly.token })).status).toBe(200);

      const expiring = await createResellerToken(s, r.accountId, { resellerId: r.resellerId, scopes: "balance:read", expiresAt: new Date(Date.now() + 60_000).toISOString() }, cli);
      expect((await call("GET", "/api/v1/balance", { token: expiring.token })).status).toBe(200);
      await s.db.updateTable("reseller_tokens").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where("id", "=", expiring.summary.id).execute();
      expect((await call("GET", "/api/v1/balance", { token: expiring.token })).body).toMatchObject({ status: 401, code: "token_expired" });
      await revokeToken(s, r.accountId, readOnly.summary.id, cli);
      expect((await call("GET", "/api/v1/catalog", { token: readOnly.token })).body).toMatchObject({ status: 401, code: "token_revoked" });

      const walled = await createResellerToken(s, r.accountId, { resellerId: r.resellerId, scopes: "balance:read", ipAllow: ["203.0.113.0/24"] }, cli);
      expect((await call("GET", "/api/v1/balance", { token: walled.token })).body).toMatchObject({ status: 403, code: "ip_not_allowed" });

      const otherPool = await createPool(s, r.accountId, { name: "Not for resellers" }, cli);
      expect((await order(r, "other-pool", { pool: otherPool.id })).body).toMatchObject({ status: 403, code: "pool_not_allowed" });
      await setResellerSuspended(s, r.accountId, r.resellerId, true, cli);
      expect((await call("GET", "/api/v1/catalog", { token: r.token })).body).toMatchObject({ status: 403, code: "reseller_suspended" });
      await setResellerSuspended(s, r.accountId, r.resellerId, false, cli);
      expect((await call("GET", "/api/v1/catalog", { token: r.token })).status).toBe(200);
    });

    it("400 names the field: bad quantity, unknown field, not JSON, no Idempotency-Key — nothing charged", async () => {
      const r = await makeReseller(s, { stock: 3, topup: "10" });
      expect((await order(r, "q", { quantity: 0 })).body).toMatchObject({ status: 400, code: "invalid_body", field: "quantity" });
      expect((await order(r, "q2", { quantity: "2" })).body).toMatchObject({ status: 400, field: "quantity" });
      expect((await order(r, "u", { colour: "red" })).body).toMatchObject({ status: 400, field: "colour" });
      expect((await call("POST", "/api/v1/orders", { token: r.token, key: "j", rawBody: "{not json" })).body).toMatchObject({ status: 400, field: "body" });
      expect((await call("POST", "/api/v1/orders", { token: r.token, body: { pool: r.poolId, quantity: 1 } })).body).toMatchObject({ status: 400, code: "idempotency_key_required", field: "Idempotency-Key" });
      expect(await ledgerSum(s.db, r.resellerId)).toEqual({ sum: 1000, entries: 1 });
    });

    it("409 out_of_stock / insufficient_balance charge nothing; allow_backorder takes what is there", async () => {
      const r = await makeReseller(s, { stock: 2, price: "1.00", topup: "5" });
      expect((await order(r, "a", { quantity: 3 })).body).toMatchObject({ status: 409, code: "out_of_stock" });
      expect((await order(r, "b", { quantity: 2, pool: r.poolId, reference: null })).status).toBe(201);
      const r2 = await makeReseller(s, { stock: 9, price: "1.00", topup: "2" });
      expect((await order(r2, "c", { quantity: 3 })).body).toMatchObject({ status: 409, code: "insufficient_balance" });
      expect(await ledgerSum(s.db, r2.resellerId)).toEqual({ sum: 200, entries: 1 });
      const bo = await order(r, "d", { quantity: 2, allow_backorder: true });
      expect(bo.body).toMatchObject({ status: "backordered", backordered_units: 2, keys: [] });
    });

    it("a second reseller and a second account see 404 for the first one's order and nothing of its catalog", async () => {
      const a = await makeReseller(s, { stock: 3, topup: "10" });
      const sameAccount = await makeReseller(s, { accountId: a.accountId, poolId: a.poolId, topup: "10" });
      const otherAccount = await makeReseller(s, { stock: 1, topup: "10" });
      const placed = await order(a, "mine");
      for (const other of [sameAccount, otherAccount]) {
        expect((await call("GET", `/api/v1/orders/${placed.body.id}`, { token: other.token })).body).toMatchObject({ status: 404, code: "order_not_found" });
        expect((await call("GET", "/api/v1/orders", { token: other.token })).body.data).toEqual([]);
        expect((await call("GET", "/api/v1/balance/entries", { token: other.token })).body.data.every((e: { order_id: string | null }) => e.order_id !== placed.body.id)).toBe(true);
      }
      expect((await call("GET", "/api/v1/catalog", { token: otherAccount.token })).body.data.map((p: { id: string }) => p.id)).toEqual([otherAccount.poolId]);
      expect((await order(otherAccount, "theirs", { pool: a.poolId })).body).toMatchObject({ status: 403, code: "pool_not_allowed" });
      expect(await ledgerSum(s.db, a.resellerId)).toEqual({ sum: 750, entries: 2 });
    });

    it("Idempotency-Key: replay with the same status and body, 422 for another body, 409 while in flight", async () => {
      const r = await makeReseller(s, { stock: 5, price: "1.00", topup: "10" });
      const first = await order(r, "idem-1", { quantity: 2 });
      const again = await call("POST", "/api/v1/orders", { token: r.token, key: "idem-1", rawBody: JSON.stringify({ quantity: 2, pool: r.poolId }) });
      expect(again.status).toBe(201);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.body).toEqual(first.body);
      expect((await order(r, "idem-1", { quantity: 3 })).body).toMatchObject({ status: 422, code: "idempotency_mismatch" });
      const refused = await order(r, "idem-2", { quantity: 6 });
      expect(refused.body.code).toBe("out_of_stock");
      const replayedRefusal = await order(r, "idem-2", { quantity: 6 });
      expect(replayedRefusal).toMatchObject({ status: 409, body: { code: "out_of_stock" } });
      expect(replayedRefusal.headers.get("idempotent-replayed")).toBe("true");
      // A first request still running (its row in flight, just now).
      const body = { pool: r.poolId, quantity: 1 };
      const now = new Date().toISOString();
      await s.db.insertInto("reseller_idempotency_keys").values({ reseller_id: r.resellerId, idempotency_key: "busy", account_id: r.accountId, fingerprint: requestFingerprint(canonicalRequest("POST", "/api/v1/orders", body)), state: "in_flight", response_status: null, response_body: null, order_id: null, created_at: now, locked_at: now }).execute();
      expect((await call("POST", "/api/v1/orders", { token: r.token, key: "busy", body })).body).toMatchObject({ status: 409, code: "idempotency_in_flight" });
      expect(await ledgerSum(s.db, r.resellerId)).toEqual({ sum: 800, entries: 2 });
    });

    it("100 concurrent copies of one Idempotency-Key: one order, one debit", async () => {
      const r = await makeReseller(s, { stock: 10, price: "1.00", topup: "100" });
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 100 }, () => order(r, "storm", { quantity: 3 })));
      const ms = performance.now() - started;
      const statuses = answers.reduce<Record<number, number>>((m, a) => ({ ...m, [a.status]: (m[a.status] ?? 0) + 1 }), {});
      console.log(`[${dialect}] 100 concurrent copies of one Idempotency-Key: statuses ${JSON.stringify(statuses)} in ${ms.toFixed(0)} ms`);
      expect(Object.keys(statuses).every((k) => k === "201" || k === "409")).toBe(true);
      const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id));
      expect(ids.size).toBe(1);
      expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === "idempotency_in_flight")).toBe(true);
      expect((await s.db.selectFrom("orders").select("id").where("reseller_id", "=", r.resellerId).execute()).length).toBe(1);
      expect(await ledgerSum(s.db, r.resellerId)).toEqual({ sum: 9700, entries: 2 });
    });

    it("200 concurrent orders for the last 20 keys: exactly 20 sold, once each; balance is the sum of the ledger", async () => {
      const r = await makeReseller(s, { stock: 20, price: "1.00", topup: "1000" });
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => order(r, `rush-${i}`)));
      const ms = performance.now() - started;
      const sold = answers.filter((a) => a.status === 201);
      const statuses = answers.reduce<Record<string, number>>((m, a) => ({ ...m, [`${a.status}${a.body.code ? ` ${a.body.code}` : ""}`]: (m[`${a.status}${a.body.code ? ` ${a.body.code}` : ""}`] ?? 0) + 1 }), {});
      const codes = sold.flatMap((a) => a.body.keys.map((k: { code: string }) => k.code));
      const ledger = await ledgerSum(s.db, r.resellerId);
      const balance = Number((await s.db.selectFrom("resellers").select("balance_minor").where("id", "=", r.resellerId).executeTakeFirstOrThrow()).balance_minor);
      console.log(`[${dialect}] 200 concurrent orders for the last 20 keys: ${JSON.stringify(statuses)} in ${ms.toFixed(0)} ms (${(200 / (ms / 1000)).toFixed(0)} req/s); ${new Set(codes).size} distinct keys sold; balance ${balance} = ledger sum ${ledger.sum} over ${ledger.entries} entries`);
      expect(sold).toHaveLength(20);
      expect(new Set(codes).size).toBe(20);
      expect(answers.filter((a) => a.status !== 201).every((a) => a.status === 409 && a.body.code === "out_of_stock")).toBe(true);
      expect(balance).toBe(ledger.sum);
      expect(balance).toBe(100000 - 20 * 100);
      const live = await s.db.selectFrom("allocations").select(["key_id"]).where("pool_id", "=", r.poolId).where("status", "=", "allocated").execute();
      expect(new Set(live.map((a) => a.key_id)).size).toBe(20);
      expect((await s.db.selectFrom("keys").select("id").where("pool_id", "=", r.poolId).where("state", "=", "available").execute()).length).toBe(0);
    });

    it("50 concurrent orders with the balance for 10: exactly 10 charged, never below zero, the other claims rolled back", async () => {
      const r = await makeReseller(s, { stock: 50, price: "1.00", topup: "10" });
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => order(r, `broke-${i}`)));
      const sold = answers.filter((a) => a.status === 201).length;
      const refused = answers.filter((a) => a.status === 409 && a.body.code === "insufficient_balance").length;
      const balance = Number((await s.db.selectFrom("resellers").select("balance_minor").where("id", "=", r.resellerId).executeTakeFirstOrThrow()).balance_minor);
      const available = (await s.db.selectFrom("keys").select("id").where("pool_id", "=", r.poolId).where("state", "=", "available").execute()).length;
      console.log(`[${dialect}] 50 concurrent orders, balance for 10: ${sold} charged, ${refused} insufficient_balance, balance ${balance}, ${available} keys still available`);
      expect(sold).toBe(10);
      expect(refused).toBe(40);
      expect(balance).toBe(0);
      expect((await ledgerSum(s.db, r.resellerId)).sum).toBe(0);
      expect(available).toBe(40);
    });

    it("rate limit per token: 429 with Retry-After and RateLimit-* headers", async () => {
      const r = await makeReseller(s, { topup: "1", limits: { ratePerSecond: 1, rateBurst: 2 } });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await call("GET", "/api/v1/balance", { token: r.token }));
      const limited = answers.filter((a) => a.status === 429);
      expect(answers[0].status).toBe(200);
      expect(answers[0].headers.get("ratelimit-limit")).toBe("1");
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0].body).toMatchObject({ code: "rate_limited", type: "urn:keyrelay:problem:rate_limited" });
      expect(Number(limited[0].headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(limited[0].headers.get("ratelimit-remaining")).toBe("0");
      // Another token of the same reseller has its own budget.
      const second = await createResellerToken(s, r.accountId, { resellerId: r.resellerId, scopes: "balance:read" }, cli);
      expect((await call("GET", "/api/v1/balance", { token: second.token })).status).toBe(200);
    });

    it("checked every answer above against the OpenAPI document", () => {
      expect(api.checked()).toBeGreaterThan(60);
    });
  });
}
