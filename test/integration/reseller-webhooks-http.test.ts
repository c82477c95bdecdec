import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "../../app/.server/crypto/webhook-signature.ts";
import { deliverResellerWebhook } from "../../app/.server/use-cases/deliver-reseller-webhook.ts";
import { refundResellerOrder } from "../../app/.server/use-cases/refund-reseller-order.ts";
import { setLowBalanceAlert } from "../../app/.server/use-cases/manage-resellers.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { cli, makeReseller, type ResellerSetup } from "../support/reseller-fixtures.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

/** A local receiver: records every request, answers with the next status in `answers` (then 200). */
async function startReceiver() {
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, got, answers, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Webhooks to resellers over the API: endpoints, signed deliveries from real orders and refunds, retries, the 3-day limit, other resellers. */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reseller webhooks on ${dialect}`, () => {
    let s: TestServices;
    let api: { url: string; close(): Promise<void> };
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let r: ResellerSetup;
    let secret = "";
    let endpointId = "";

    beforeAll(async () => {
      s = await makeServices({ dialect, startWorkers: true, env: { RESELLER_WEBHOOKS_ALLOW_HTTP: "on", RESELLER_API_RATE_PER_SECOND: "1000", RESELLER_API_BURST: "1000" } });
      api = await startHttp(s);
      receiver = await startReceiver();
      r = await makeReseller(s, { stock: 4, price: "2.00", topup: "20", prefix: `WH${dialect.slice(0, 2).toUpperCase()}` });
    });
    afterAll(async () => {
      await api?.close();
      await receiver?.close();
      await s?.cleanup();
    });

    const call = async (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };

    it("registers an endpoint (secret shown once), refusing a bad URL or event naming the field", async () => {
      const bad = await call("POST", "/api/v1/webhook-endpoints", r.token, { url: "ftp://x.example" });
      expect(bad).toMatchObject({ status: 400, body: { code: "invalid_body", field: "url" } });
      const badEvent = await call("POST", "/api/v1/webhook-endpoints", r.token, { url: receiver.url, events: ["order.exploded"] });
      expect(badEvent.status).toBe(400);
      expect(badEvent.body.field).toMatch(/^events/);
      const created = await call("POST", "/api/v1/webhook-endpoints", r.token, { url: receiver.url, events: ["order.fulfilled", "key.revoked"] });
      expect(created.status).toBe(201);
      expect(created.body.secret).toMatch(/^whsec_/);
      secret = created.body.secret;
      endpointId = created.body.id;
      const list = await call("GET", "/api/v1/webhook-endpoints", r.token);
      expect(list.body.data).toHaveLength(1);
      expect(JSON.stringify(list.body)).not.toContain(secret);
      const row = await s.db.selectFrom("reseller_webhook_endpoints").select("secret_ciphertext").where("id", "=", endpointId).executeTakeFirstOrThrow();
      expect(Buffer.from(row.secret_ciphertext).toString("utf8")).not.toContain(secret);
    });

    it("an order sends order.fulfilled, signed, with ids and no key; refunding it sends key.revoked", async () => {
      const placed = await call("POST", "/api/v1/orders", r.token, { pool: r.poolId, quantity: 2, reference: "PO-7" }, { "idempotency-key": "wh-1" });
      expect(placed.status).toBe(201);
      const first = await waitFor(async () => receiver.got[0]);
      const sig = first.headers["keyrelay-signature"] as string;
      expect(verifySignature(sig, secret, first.body, Math.floor(Date.now() / 1000))).toBe(true);
      expect(verifySignature(sig, "whsec_wrong", first.body, Math.floor(Date.now() / 1000))).toBe(false);
      const event = JSON.parse(first.body);
      expect(event).toMatchObject({ type: "order.fulfilled", data: { order_id: placed.body.id, reference: "PO-7", quantity: 2 } });
      for (const k of placed.body.keys) expect(first.body).not.toContain(k.code);
      await refundResellerOrder(s, r.accountId, placed.body.id, cli);
      const second = await waitFor(async () => receiver.got[1]);
      expect(JSON.parse(second.body)).toMatchObject({ type: "key.revoked", data: { order_id: placed.body.id, keys_revoked: 2 } });
      const list = await call("GET", "/api/v1/webhook-endpoints", r.token);
      await waitFor(async () => (await call("GET", "/api/v1/webhook-endpoints", r.token)).body.data[0].recent_deliveries.every((d: { status: string }) => d.status === "delivered"));
      expect(list.body.data[0].recent_deliveries.map((d: { type: string }) => d.type).sort()).toEqual(["key.revoked", "order.fulfilled"]);
    });

    it("a failing endpoint is retried with backoff, then given up after three days", async () => {
      const d = await s.db
        .insertInto("reseller_webhook_deliveries")
        .values({ account_id: r.accountId, reseller_id: r.resellerId, endpoint_id: endpointId, event_id: "evt_test", event_type: "order.fulfilled", payload: '{"id":"evt_test"}', status: "pending", last_status: null, last_error: null, created_at: new Date().toISOString(), last_attempt_at: null, delivered_at: null })
        .returning("id")
        .executeTakeFirstOrThrow();
      receiver.answers.push(503);
      await expect(deliverResellerWebhook(s, { deliveryId: Number(d.id) })).rejects.toMatchObject({ kind: "retryable", retryAfterMs: 30_000 });
      expect(await s.db.selectFrom("reseller_webhook_deliveries").select(["status", "attempts", "last_status"]).where("id", "=", Number(d.id)).executeTakeFirstOrThrow()).toEqual({ status: "pending", attempts: 1, last_status: 503 });
      // Three days later it still fails: the delivery is marked failed.
      await s.db.updateTable("reseller_webhook_deliveries").set({ created_at: new Date(Date.now() - 72 * 3_600_000).toISOString() }).where("id", "=", Number(d.id)).execute();
      receiver.answers.push(500);
      await expect(deliverResellerWebhook(s, { deliveryId: Number(d.id) })).rejects.toMatchObject({ kind: "permanent" });
      expect((await s.db.selectFrom("reseller_webhook_deliveries").select("status").where("id", "=", Number(d.id)).executeTakeFirstOrThrow()).status).toBe("failed");
    });

    it("a backorder filled later sends order.backorder_filled; a debit below the low-balance mark sends balance.low once", async () => {
      const created = await call("POST", "/api/v1/webhook-endpoints", r.token, { url: receiver.url, events: ["order.backorder_filled", "balance.low"] });
      expect(created.status).toBe(201);
      const seen = receiver.got.length;
      await setLowBalanceAlert(s, r.accountId, r.resellerId, "15.00", cli);
      // 2 keys left, 3 ordered: one waits. 20.00 − 6.00 = 14.00 < 15.00.
      const placed = await call("POST", "/api/v1/orders", r.token, { pool: r.poolId, quantity: 3, allow_backorder: true }, { "idempotency-key": "wh-2" });
      expect(placed.body.backordered_units).toBe(1);
      const low = await waitFor(async () => receiver.got.slice(seen).find((g) => JSON.parse(g.body).type === "balance.low"));
      expect(JSON.parse(low.body).data).toEqual({ balance_minor: 1400, currency: "USD", threshold_minor: 1500 });
      // Still below: a further order sends no second balance.low.
      await call("POST", "/api/v1/orders", r.token, { pool: r.poolId, quantity: 1, allow_backorder: true }, { "idempotency-key": "wh-3" });
      await stockPool(s, r.accountId, r.poolId, ["WH-LATE-1", "WH-LATE-2"]);
      // The import stages the pool's fill-backorders job; the running workers fill them.
      const filled = await waitFor(async () => receiver.got.slice(seen).filter((g) => JSON.parse(g.body).type === "order.backorder_filled").length === 2 || undefined);
      expect(filled).toBe(true);
      const types = receiver.got.slice(seen).map((g) => JSON.parse(g.body).type);
      expect(types.filter((t) => t === "balance.low")).toHaveLength(1);
      expect(receiver.got.slice(seen).map((g) => JSON.parse(g.body).data.order_id)).toContain(placed.body.id);
      await expect(setLowBalanceAlert(s, r.accountId, r.resellerId, "-3", cli)).rejects.toMatchObject({ field: "amount" });
    });

    it("another reseller cannot see or delete the endpoint; a token without webhooks:write is refused", async () => {
      const other = await makeReseller(s, { stock: 1 });
      expect((await call("GET", "/api/v1/webhook-endpoints", other.token)).body.data).toEqual([]);
      expect(await call("DELETE", `/api/v1/webhook-endpoints/${endpointId}`, other.token)).toMatchObject({ status: 404, body: { code: "not_found" } });
      const narrow = await makeReseller(s, { stock: 1, scopes: "catalog:read" });
      expect(await call("GET", "/api/v1/webhook-endpoints", narrow.token)).toMatchObject({ status: 403, body: { code: "scope_missing" } });
      expect(await call("DELETE", `/api/v1/webhook-endpoints/${endpointId}`, r.token)).toMatchObject({ status: 200, body: { deleted: true } });
      expect((await call("GET", "/api/v1/webhook-endpoints", r.token)).body.data.map((e: { id: string }) => e.id)).not.toContain(endpointId);
    });
  });
}
