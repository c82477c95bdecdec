import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { fillBackorders } from "../../app/.server/use-cases/fill-backorders.ts";
import { loadDeliveryContent, markOrderKeysDelivered } from "../../app/.server/use-cases/load-delivery-content.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, paidOrder, stockPool, type Shop } from "../support/fulfilment-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, "0")}`);

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`allocating orders on ${dialect}`, () => {
    let s: TestServices;
    beforeAll(async () => {
      // Workers stay off: these tests look at the rows the allocation writes, not what jobs do next.
      s = await makeServices({ dialect, env: { DATABASE_POOL_SIZE: "12" } });
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    const unitsOf = (shop: Shop) =>
      s.db
        .selectFrom("allocations as a")
        .innerJoin("order_lines as l", "l.id", "a.order_line_id")
        .innerJoin("orders as o", "o.id", "l.order_id")
        .select(["a.id", "a.status", "a.key_id", "a.unit_index", "o.external_id", "o.id as order_id"])
        .where("o.store_id", "=", shop.store.id)
        .orderBy("a.id")
        .execute();
    const keyStates = async (shop: Shop) =>
      Object.fromEntries(
        (await s.db.selectFrom("keys").select((eb) => ["state", eb.fn.countAll<number>().as("n")]).where("pool_id", "=", shop.poolId).groupBy("state").execute()).map((r) => [r.state, Number(r.n)]),
      );

    it("100 concurrent runs of one paid order allocate one set of keys and stage one write-back", async () => {
      const shop = await makeShop(s);
      await stockPool(s, shop.accountId, shop.poolId, codes("DUP", 10));
      const order = paidOrder({ quantity: 2 });
      const results = await Promise.allSettled(Array.from({ length: 100 }, () => applyHostOrder(s, shop.store, order)));
      // A run that lost a race on the unique (line, unit) rows fails and is retried by its job;
      // whatever happened, the database holds exactly one allocation per unit.
      expect(results.some((r) => r.status === "fulfilled")).toBe(true);
      const units = await unitsOf(shop);
      expect(units.map((u) => [u.unit_index, u.status])).toEqual([[0, "allocated"], [1, "allocated"]]);
      expect(new Set(units.map((u) => u.key_id)).size).toBe(2);
      expect(await keyStates(shop)).toEqual({ allocated: 2, available: 8 });
      const again = await applyHostOrder(s, shop.store, order);
      expect(again).toMatchObject({ allocated: 0, backordered: 0, released: 0, status: "allocated" });
      const jobs = await s.db.selectFrom("jobs").select(["queue", "status"]).where("dedupe_key", "=", `deliver-order:${units[0].order_id}`).execute();
      expect(jobs).toEqual([{ queue: "deliver-order", status: "pending" }]);
    });

    it("50 concurrent orders for a pool holding 10 keys: 10 delivered, 40 backordered, no key twice; an import fills them oldest first", async () => {
      const shop = await makeShop(s);
      await stockPool(s, shop.accountId, shop.poolId, codes("RUSH", 10));
      const orders = Array.from({ length: 50 }, () => paidOrder());
      const results = await Promise.allSettled(orders.map((o) => applyHostOrder(s, shop.store, o)));
      // Retry what lost a race, as the job queue would.
      for (const [i, r] of results.entries()) if (r.status === "rejected") await applyHostOrder(s, shop.store, orders[i]);
      // On Postgres a claim skips keys other transactions hold; an order that found none locked-free
      // became a backorder and staged a fill, which the worker runs next: run it as the worker would.
      await fillBackorders(s, { accountId: shop.accountId, poolId: shop.poolId });
      let units = await unitsOf(shop);
      expect(units).toHaveLength(50);
      expect(units.filter((u) => u.status === "allocated")).toHaveLength(10);
      expect(units.filter((u) => u.status === "backordered")).toHaveLength(40);
      const keyIds = units.filter((u) => u.key_id !== null).map((u) => u.key_id);
      expect(new Set(keyIds).size).toBe(10);
      expect(await keyStates(shop)).toEqual({ allocated: 10 });

      // A new order while 40 wait does not overtake them, even when keys have just arrived.
      await stockPool(s, shop.accountId, shop.poolId, codes("MORE", 45));
      const late = paidOrder();
      expect(await applyHostOrder(s, shop.store, late)).toMatchObject({ allocated: 0, backordered: 1 });

      const before = (await unitsOf(shop)).filter((u) => u.status === "backordered").map((u) => u.id);
      expect(await fillBackorders(s, { accountId: shop.accountId, poolId: shop.poolId })).toEqual({ filled: 41 });
      units = await unitsOf(shop);
      expect(units.every((u) => u.status === "allocated")).toBe(true);
      expect(new Set(units.map((u) => u.key_id)).size).toBe(51);
      // Oldest first: key ids handed out follow the backorders' order.
      const filledKeys = before.map((id) => units.find((u) => u.id === id)!.key_id!);
      expect(filledKeys).toEqual([...filledKeys].sort((a, b) => a - b));
      expect(await keyStates(shop)).toEqual({ allocated: 51, available: 4 });
      const orderRow = await s.db.selectFrom("orders").select("status").where("external_id", "=", late.externalId).executeTakeFirstOrThrow();
      expect(orderRow.status).toBe("allocated");
    });

    it("a refund of 1 of 3 units revokes exactly one key; a cancellation releases the rest and drops backorders", async () => {
      const shop = await makeShop(s);
      await stockPool(s, shop.accountId, shop.poolId, codes("REF", 2));
      const order = paidOrder({ quantity: 3 });
      expect(await applyHostOrder(s, shop.store, order)).toMatchObject({ allocated: 2, backordered: 1, status: "partially_allocated" });
      // The refunded unit is the one still waiting: nobody loses a key they hold.
      expect(await applyHostOrder(s, shop.store, { ...order, lines: [{ ...order.lines[0], refundedQuantity: 1 }] })).toMatchObject({ released: 1, status: "allocated" });
      expect((await unitsOf(shop)).map((u) => u.status)).toEqual(["allocated", "allocated", "dropped"]);
      expect(await applyHostOrder(s, shop.store, { ...order, lines: [{ ...order.lines[0], refundedQuantity: 2 }] })).toMatchObject({ released: 1 });
      expect((await unitsOf(shop)).map((u) => u.status)).toEqual(["allocated", "revoked", "dropped"]);
      expect(await keyStates(shop)).toEqual({ allocated: 1, revoked: 1 });
      // A stale event that predates the refunds changes nothing.
      expect(await applyHostOrder(s, shop.store, order)).toMatchObject({ allocated: 0, released: 0 });
      expect(await applyHostOrder(s, shop.store, { ...order, status: "cancelled" })).toMatchObject({ released: 1, status: "cancelled" });
      expect(await keyStates(shop)).toEqual({ revoked: 2 });
      // Cancelled is final: a late "paid" brings nothing back.
      expect(await applyHostOrder(s, shop.store, order)).toMatchObject({ allocated: 0, backordered: 0, status: "cancelled" });
    });

    it("return_if_unseen puts a key the buyer never saw back in stock, and revokes one they saw", async () => {
      const shop = await makeShop(s, { refundPolicy: "return_if_unseen" });
      await stockPool(s, shop.accountId, shop.poolId, codes("RET", 2));
      const order = paidOrder({ quantity: 2 });
      await applyHostOrder(s, shop.store, order);
      const [first] = await unitsOf(shop);
      // Unit 0's key reached the buyer.
      await s.db.updateTable("keys").set({ state: "delivered" }).where("id", "=", first.key_id!).execute();
      expect(await applyHostOrder(s, shop.store, { ...order, status: "refunded" })).toMatchObject({ released: 2, status: "refunded" });
      expect((await unitsOf(shop)).map((u) => u.status)).toEqual(["revoked", "returned"]);
      expect(await keyStates(shop)).toEqual({ revoked: 1, available: 1 });
    });

    it("a delivery shows only the keys it marked: a key a backorder fill adds meanwhile waits for its own delivery, and a refund then still revokes the shown one", async () => {
      const shop = await makeShop(s, { refundPolicy: "return_if_unseen" });
      await stockPool(s, shop.accountId, shop.poolId, codes("MARK", 1));
      const order = paidOrder({ quantity: 2 });
      const { orderId } = await applyHostOrder(s, shop.store, order);
      const row = { id: orderId, account_id: shop.accountId };
      expect(await markOrderKeysDelivered(s.db, orderId)).toBe(1);
      await stockPool(s, shop.accountId, shop.poolId, codes("MARK2", 1));
      expect((await fillBackorders(s, { accountId: shop.accountId, poolId: shop.poolId })).filled).toBe(1);
      const [line] = await loadDeliveryContent(s, row);
      expect(line.keys.map((k) => k.code)).toEqual(["MARK-00000"]);
      expect(line.unmarkedUnits).toBe(1);
      // The buyer saw MARK-00000 only: a full refund revokes it and puts the unseen one back.
      await applyHostOrder(s, shop.store, { ...order, status: "refunded" });
      expect(await keyStates(shop)).toEqual({ revoked: 1, available: 1 });
    });

    it.skipIf(dialect !== "postgres")("a fill never waits for an order another transaction is changing (no deadlock with a refund), and comes back for it", async () => {
      const shop = await makeShop(s);
      const order = paidOrder();
      const { orderId } = await applyHostOrder(s, shop.store, order);
      await stockPool(s, shop.accountId, shop.poolId, codes("BUSY", 1));
      await s.db.transaction().execute(async (trx) => {
        // A refund of this order is in progress: it holds the order row.
        await trx.selectFrom("orders").select("id").where("id", "=", orderId).forUpdate().execute();
        await expect(fillBackorders(s, { accountId: shop.accountId, poolId: shop.poolId })).rejects.toMatchObject({ code: "backorder_order_busy" });
      });
      expect(await fillBackorders(s, { accountId: shop.accountId, poolId: shop.poolId })).toEqual({ filled: 1 });
      expect((await unitsOf(shop)).map((u) => u.status)).toEqual(["allocated"]);
    });

    it("an order that takes a pool below its low-stock threshold raises one alert", async () => {
      const shop = await makeShop(s);
      await s.db.updateTable("pools").set({ low_stock_threshold: 3 }).where("id", "=", shop.poolId).execute();
      await stockPool(s, shop.accountId, shop.poolId, codes("LOW", 5));
      await applyHostOrder(s, shop.store, paidOrder());
      expect((await s.db.selectFrom("pools").select("low_stock_alerted_at").where("id", "=", shop.poolId).executeTakeFirstOrThrow()).low_stock_alerted_at).toBeNull();
      await applyHostOrder(s, shop.store, paidOrder({ quantity: 2 }));
      await applyHostOrder(s, shop.store, paidOrder());
      expect((await s.db.selectFrom("pools").select("low_stock_alerted_at").where("id", "=", shop.poolId).executeTakeFirstOrThrow()).low_stock_alerted_at).not.toBeNull();
      const alerts = await s.db.selectFrom("jobs").select("payload").where("queue", "=", "low-stock-alert").execute();
      expect(alerts.filter((j) => JSON.parse(j.payload).poolId === shop.poolId)).toHaveLength(1);
    });

    it("ignores unmapped lines, and waits for payment before allocating", async () => {
      const shop = await makeShop(s, { unitsPerItem: 3 });
      await stockPool(s, shop.accountId, shop.poolId, codes("PACK", 5));
      const order = paidOrder({
        status: "unpaid",
        lines: [
          { externalLineId: "a", productId: "P1", variantId: "V9", title: "3-pack", quantity: 1, refundedQuantity: 0, unitPriceMinor: 100 },
          { externalLineId: "b", productId: "OTHER", variantId: "X", title: "T-shirt", quantity: 2, refundedQuantity: 0, unitPriceMinor: 100 },
        ],
      });
      expect(await applyHostOrder(s, shop.store, order)).toMatchObject({ allocated: 0, status: "received" });
      expect(await applyHostOrder(s, shop.store, { ...order, status: "paid" })).toMatchObject({ allocated: 3, backordered: 0, status: "allocated" });
      const other = paidOrder({ lines: [{ externalLineId: "c", productId: "OTHER", variantId: "X", title: "T-shirt", quantity: 1, refundedQuantity: 0, unitPriceMinor: 100 }] });
      expect(await applyHostOrder(s, shop.store, other)).toMatchObject({ allocated: 0, status: "ignored" });
    });
  });
}
