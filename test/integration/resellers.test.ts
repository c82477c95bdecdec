import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerSum } from "../../app/.server/db/repositories/reseller-ledger-repo.ts";
import { ResellerApiError } from "../../app/.server/domain/reseller-api-error.ts";
import { authenticateReseller } from "../../app/.server/use-cases/authenticate-reseller.ts";
import { fillBackorders } from "../../app/.server/use-cases/fill-backorders.ts";
import { changeResellerBalance } from "../../app/.server/use-cases/reseller-balance.ts";
import { placeResellerOrder } from "../../app/.server/use-cases/place-reseller-order.ts";
import { revokeToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import { refundResellerOrder } from "../../app/.server/use-cases/refund-reseller-order.ts";
import { dialects } from "../support/dialects.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { cli, makeReseller } from "../support/reseller-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/** The reseller use-cases on each database: orders, balance, idempotency, tokens (the HTTP layer is in reseller-api-http.test.ts). */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reseller orders on ${dialect}`, () => {
    let s: TestServices;
    beforeAll(async () => {
      s = await makeServices({ dialect });
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    const caller = (token: string) => authenticateReseller(s, `Bearer ${token}`, "127.0.0.1", "orders:write");
    const place = async (token: string, key: string, body: { pool: string; quantity: number; allow_backorder?: boolean; reference?: string }) => placeResellerOrder(s, await caller(token), key, body, body, "127.0.0.1");
    const problemOf = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof ResellerApiError ? e.problem : String(e)));
    const balance = async (id: string) => Number((await s.db.selectFrom("resellers").select("balance_minor").where("id", "=", id).executeTakeFirstOrThrow()).balance_minor);
    const keyStates = async (poolId: string) =>
      Object.fromEntries((await s.db.selectFrom("keys").select(["state", (eb) => eb.fn.countAll<number>().as("n")]).where("pool_id", "=", poolId).groupBy("state").execute()).map((r) => [r.state, Number(r.n)]));

    it("charges once and hands out the keys in one transaction, audited", async () => {
      const r = await makeReseller(s, { stock: 3, price: "2.50", topup: "10" });
      const placed = await place(r.token, "k-1", { pool: r.poolId, quantity: 2, reference: "PO-1" });
      expect(placed.status).toBe(201);
      expect(placed.order).toMatchObject({ status: "fulfilled", quantity: 2, unit_price_minor: 250, total_minor: 500, currency: "USD", reference: "PO-1", backordered_units: 0 });
      expect(placed.order.keys).toHaveLength(2);
      expect(await balance(r.resellerId)).toBe(500);
      expect(await ledgerSum(s.db, r.resellerId)).toEqual({ sum: 500, entries: 2 });
      expect(await keyStates(r.poolId)).toEqual({ available: 1, delivered: 2 });
      const audit = await s.db.selectFrom("audit_log").select(["action", "details"]).where("account_id", "=", r.accountId).where("action", "=", "reseller.order_placed").execute();
      expect(audit).toHaveLength(1);
      expect(audit[0].details).not.toContain(placed.order.keys[0].code);
      // A stock sync of the pool was staged with the order (outbox): host stores follow.
      expect(await s.db.selectFrom("jobs").select("id").where("queue", "=", "sync-stock").where("payload", "like", `%${r.poolId}%`).execute()).not.toHaveLength(0);
    });

    it("all-or-nothing: short of keys or balance, nothing is charged or claimed", async () => {
      const r = await makeReseller(s, { stock: 2, price: "1.00", topup: "5" });
      expect(await problemOf(place(r.token, "big", { pool: r.poolId, quantity: 3 }))).toBe("out_of_stock");
      expect(await problemOf(place(r.token, "rich", { pool: r.poolId, quantity: 2, reference: "x" }).then(() => place(r.token, "poor", { pool: r.poolId, quantity: 0 + 1 })))).toBe("out_of_stock");
      const r2 = await makeReseller(s, { stock: 5, price: "3.00", topup: "5" });
      expect(await problemOf(place(r2.token, "k", { pool: r2.poolId, quantity: 2 }))).toBe("insufficient_balance");
      expect(await balance(r2.resellerId)).toBe(500);
      expect(await keyStates(r2.poolId)).toEqual({ available: 5 });
      expect((await s.db.selectFrom("orders").select("id").where("reseller_id", "=", r2.resellerId).execute()).length).toBe(0);
      // The refusal is the key's answer: the same request gets it again, even after a top-up.
      await changeResellerBalance(s, r2.accountId, { resellerId: r2.resellerId, kind: "topup", amount: "100" }, cli);
      expect(await problemOf(place(r2.token, "k", { pool: r2.poolId, quantity: 2 }))).toBe("insufficient_balance");
      expect((await place(r2.token, "k2", { pool: r2.poolId, quantity: 2 })).status).toBe(201);
    });

    it("a credit limit lets the balance go below zero, never further", async () => {
      const r = await makeReseller(s, { stock: 5, price: "4.00", creditLimit: "5" });
      expect((await place(r.token, "a", { pool: r.poolId, quantity: 1 })).status).toBe(201);
      expect(await balance(r.resellerId)).toBe(-400);
      expect(await problemOf(place(r.token, "b", { pool: r.poolId, quantity: 1 }))).toBe("insufficient_balance");
    });

    it("allow_backorder takes what is there and fills the rest first in, first out", async () => {
      const r = await makeReseller(s, { stock: 1, price: "1.00", topup: "10", prefix: "BO" });
      const placed = await place(r.token, "bo", { pool: r.poolId, quantity: 3, allow_backorder: true });
      expect(placed.order).toMatchObject({ status: "backordered", backordered_units: 2 });
      expect(placed.order.keys).toHaveLength(1);
      expect(await balance(r.resellerId)).toBe(700);
      await stockPool(s, r.accountId, r.poolId, ["BO-NEW-1", "BO-NEW-2"]);
      await fillBackorders(s, { accountId: r.accountId, poolId: r.poolId });
      const again = await place(r.token, "bo", { pool: r.poolId, quantity: 3, allow_backorder: true });
      expect(again.replayed).toBe(true);
      expect(again.order).toMatchObject({ id: placed.order.id, status: "fulfilled", backordered_units: 0 });
      expect(again.order.keys.map((k) => k.code).sort()).toEqual(["BO-0001", "BO-NEW-1", "BO-NEW-2"]);
    });

    it("Idempotency-Key: same body replays, another body is 422-mismatch, keys are per reseller", async () => {
      const r = await makeReseller(s, { stock: 4, price: "1.00", topup: "10" });
      const first = await place(r.token, "same", { pool: r.poolId, quantity: 1 });
      const second = await place(r.token, "same", { pool: r.poolId, quantity: 1 });
      expect(second).toMatchObject({ status: 201, replayed: true });
      expect(second.order).toEqual(first.order);
      expect(await problemOf(place(r.token, "same", { pool: r.poolId, quantity: 2 }))).toBe("idempotency_mismatch");
      expect(await ledgerSum(s.db, r.resellerId)).toEqual({ sum: 900, entries: 2 });
      const other = await makeReseller(s, { accountId: r.accountId, poolId: r.poolId, price: "1.00", topup: "10" });
      expect((await place(other.token, "same", { pool: r.poolId, quantity: 1 })).replayed).toBe(false);
    });

    it("a refund credits the order's total once and releases its units by the pool's policy", async () => {
      const r = await makeReseller(s, { stock: 2, price: "1.50", topup: "10", prefix: "RF" });
      const placed = await place(r.token, "rf", { pool: r.poolId, quantity: 3, allow_backorder: true });
      expect(await balance(r.resellerId)).toBe(550);
      const refund = await refundResellerOrder(s, r.accountId, placed.order.id, cli);
      expect(refund).toMatchObject({ creditedMinor: 450, released: 3, alreadyRefunded: false });
      expect(await balance(r.resellerId)).toBe(1000);
      expect(await ledgerSum(s.db, r.resellerId)).toEqual({ sum: 1000, entries: 3 });
      // Handed out over the API (delivered): revoked, never sold again; the backorder is dropped.
      expect(await keyStates(r.poolId)).toEqual({ revoked: 2 });
      expect((await s.db.selectFrom("allocations").select("status").where("pool_id", "=", r.poolId).orderBy("unit_index").execute()).map((a) => a.status)).toEqual(["revoked", "revoked", "dropped"]);
      expect(await refundResellerOrder(s, r.accountId, placed.order.id, cli)).toMatchObject({ creditedMinor: 0, alreadyRefunded: true });
      expect(await balance(r.resellerId)).toBe(1000);
      // Another account cannot refund it.
      const other = await makeReseller(s, {});
      expect(await problemOf(refundResellerOrder(s, other.accountId, placed.order.id, cli))).toContain("no such reseller order");
      const audit = await s.db.selectFrom("audit_log").select("action").where("account_id", "=", r.accountId).where("action", "=", "reseller.order_refunded").execute();
      expect(audit).toHaveLength(1);
    });

    it("limits per order and per day", async () => {
      const r = await makeReseller(s, { stock: 10, price: "1.00", topup: "100", limits: { maxUnitsPerOrder: 3, maxUnitsPerDay: 4 } });
      expect(await problemOf(place(r.token, "a", { pool: r.poolId, quantity: 4 }))).toBe("order_limit_exceeded");
      expect((await place(r.token, "b", { pool: r.poolId, quantity: 3 })).status).toBe(201);
      expect(await problemOf(place(r.token, "c", { pool: r.poolId, quantity: 2 }))).toBe("daily_limit_exceeded");
    });

    it("tokens: unknown, revoked and other-scope tokens are refused", async () => {
      const r = await makeReseller(s, { scopes: "catalog:read" });
      expect(await problemOf(authenticateReseller(s, `Bearer ${r.token}`, "127.0.0.1", "catalog:read"))).toBe("ok");
      expect(await problemOf(authenticateReseller(s, `Bearer ${r.token}`, "127.0.0.1", "orders:write"))).toBe("scope_missing");
      expect(await problemOf(authenticateReseller(s, `Bearer ${r.token.slice(0, -2)}xx`, "127.0.0.1", "catalog:read"))).toBe("unauthorized");
      expect(await problemOf(authenticateReseller(s, null, "127.0.0.1", "catalog:read"))).toBe("unauthorized");
      const id = (await s.db.selectFrom("reseller_tokens").select("id").where("reseller_id", "=", r.resellerId).executeTakeFirstOrThrow()).id;
      await revokeToken(s, r.accountId, id, cli);
      expect(await problemOf(authenticateReseller(s, `Bearer ${r.token}`, "127.0.0.1", "catalog:read"))).toBe("token_revoked");
      const stored = await s.db.selectFrom("reseller_tokens").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      expect(JSON.stringify({ ...stored, token_hash: Buffer.from(stored.token_hash).toString("hex") })).not.toContain(r.token.slice(21));
    });
  });
}
