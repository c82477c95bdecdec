import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { revealKey } from "../../app/.server/use-cases/reveal-key.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const support = { type: "admin" as const, id: "support-user" };

/**
 * An admin reveal (pool page or order page): within an order only a key the order still holds,
 * and a revealed key counts as seen, so a refund under "return if unseen" never puts it back on sale.
 */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reveal a key on ${dialect}`, () => {
    let s: TestServices;
    beforeAll(async () => {
      s = await makeServices({ dialect });
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    async function onlyKey(poolId: string) {
      return s.db.selectFrom("keys").select(["id", "state"]).where("pool_id", "=", poolId).executeTakeFirstOrThrow();
    }

    it("the order page of a refunded order cannot reveal its old key, now sold to another buyer", async () => {
      const shop = await makeShop(s, { refundPolicy: "return_if_unseen" });
      await stockPool(s, shop.accountId, shop.poolId, ["ONLY-KEY-0001"]);
      const a = paidOrder({ quantity: 1 });
      const { orderId: orderA } = await applyHostOrder(s, shop.store, a);
      await applyHostOrder(s, shop.store, { ...a, status: "refunded" }); // unseen: back in stock
      const { orderId: orderB } = await applyHostOrder(s, shop.store, paidOrder({ quantity: 1 })); // the same key, sold to B
      const key = await onlyKey(shop.poolId);
      const holders = await s.db.selectFrom("allocations").select("status").where("key_id", "=", key.id).orderBy("id").execute();
      expect(holders.map((h) => h.status)).toEqual(["returned", "allocated"]);

      await expect(revealKey(s, shop.accountId, Number(key.id), support, { orderId: orderA })).rejects.toMatchObject({ code: "key_not_found" });
      const audits = await s.db.selectFrom("audit_log").select("id").where("account_id", "=", shop.accountId).where("action", "=", "key.revealed").execute();
      expect(audits).toHaveLength(0);
      // B's own page still shows it.
      expect((await revealKey(s, shop.accountId, Number(key.id), support, { orderId: orderB })).code).toBe("ONLY-KEY-0001");
    });

    for (const where of ["order page", "pool page"] as const) {
      it(`a key revealed on the ${where} before delivery counts as seen: the refund revokes it instead of selling it again`, async () => {
        const shop = await makeShop(s, { refundPolicy: "return_if_unseen" });
        await stockPool(s, shop.accountId, shop.poolId, ["SEEN-KEY-0001"]);
        const a = paidOrder({ quantity: 1 });
        const { orderId } = await applyHostOrder(s, shop.store, a);
        const key = await onlyKey(shop.poolId);
        expect(key.state).toBe("allocated"); // nothing delivered yet (no job ran)
        const payload = await revealKey(s, shop.accountId, Number(key.id), support, where === "order page" ? { orderId } : undefined);
        expect(payload.code).toBe("SEEN-KEY-0001");
        expect((await onlyKey(shop.poolId)).state).toBe("delivered");

        await applyHostOrder(s, shop.store, { ...a, status: "refunded" });
        expect((await onlyKey(shop.poolId)).state).toBe("revoked");
        const b = await applyHostOrder(s, shop.store, paidOrder({ quantity: 1 }));
        expect(b.allocated).toBe(0); // waits for stock, not for the seen key
      });
    }
  });
}
