import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { getDecision } from "../../app/.server/db/repositories/risk-decisions-repo.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { loadDeliveryContent, markOrderKeysDelivered } from "../../app/.server/use-cases/load-delivery-content.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { addRiskRule, listRiskRules, removeRiskRule } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { approveHeldOrder, denyHeldOrder, listHeldOrders } from "../../app/.server/use-cases/review-held-order.ts";
import { InvalidInputError } from "../../app/.server/domain/errors.ts";
import { dialects } from "../support/dialects.ts";
import { freePort } from "../support/free-port.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { makeShop, paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

const cli = { type: "cli" as const };
const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`risk hold on the fulfilment path on ${dialect}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let wc: FakeWooCommerce;
    let accountId: string;
    let storeId: string;
    let hookId: number;
    let poolId: string;
    let productId: number;
    const prefix = `RH${dialect}`;

    beforeAll(async () => {
      wc = await startFakeWooCommerce();
      const port = await freePort();
      s = await makeServices({ dialect, startWorkers: true, env: { APP_URL: `http://127.0.0.1:${port}`, HOST_REQUEST_TIMEOUT_MS: "3000", DATABASE_POOL_SIZE: "12" } });
      http = await startHttp(s, port);
      accountId = (await createAccount(s.db, { name: "Woo merchant", alertEmail: "alerts@example.com" })).id;
      poolId = (await createPool(s, accountId, { name: "Game card", refundPolicy: "return_if_unseen" }, cli)).id;
      await stockPool(s, accountId, poolId, codes(prefix, 10));
      productId = wc.createProduct({ name: "Game card $10", price: "10.00" }).id;
      storeId = (await connectWooCommerceStore(s, accountId, { ...wc.connection }, cli)).id;
      hookId = wc.getWebhooks()[0]!.id;
      await mapProduct(s, accountId, { storeId, productId: String(productId), poolId, unitsPerItem: 1 }, cli);
      await addRiskRule(s, accountId, { when: "email_domain = fraud.example", then: "review", name: "Fraud domain" }, cli);
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await wc?.close();
    });

    const keyStates = async () =>
      Object.fromEntries((await s.db.selectFrom("keys").select((eb) => ["state", eb.fn.countAll<number>().as("n")]).where("pool_id", "=", poolId).groupBy("state").execute()).map((r) => [r.state, Number(r.n)]));
    const orderRow = (externalId: number) => s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", String(externalId)).executeTakeFirst();
    const idle = () => waitFor(async () => Number((await s.db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "in", ["pending", "running"]).executeTakeFirstOrThrow()).n) === 0, 15_000, "jobs idle");
    /** A paid WooCommerce order of `quantity` keys from `email`, once keyrelay has held it. */
    const paidOrderHeld = async (quantity: number, email: string) => {
      const order = wc.createOrder({ line_items: [{ product_id: productId, quantity }], status: "processing", billing: { email } });
      expect((await wc.deliver(hookId, "order.updated", order.id)).status).toBe(200);
      const row = await waitFor(async () => {
        const o = await orderRow(order.id);
        return o?.risk_decision === "hold" ? o : undefined;
      }, 15_000, "the hold");
      return { order, row };
    };

    it("a held order's keys are claimed but appear in no write-back, no email and on no buyer surface; approve delivers them", async () => {
      const { order, row } = await paidOrderHeld(2, "mule@fraud.example");
      await idle();
      const decision = await getDecision(s.db, accountId, row.id);
      expect(decision).toMatchObject({ action: "review", review_status: "held", rule_set_version: 2, decided_by_rule_id: expect.any(String) });
      expect(decision!.matched.map((m) => m.name)).toEqual(["Fraud domain"]);
      // Claimed: the buyer keeps his place, stock counts them as sold.
      expect(await keyStates()).toMatchObject({ allocated: 2 });
      // Nothing on the host, nothing mailed, nothing a buyer surface could show.
      expect(wc.getNotes(order.id)).toEqual([]);
      expect(wc.getMeta(order.id, "_keyrelay_delivery_ref")).toBeUndefined();
      const deliveries = await s.db.selectFrom("deliveries").select(["channel", "status"]).where("order_id", "=", row.id).execute();
      expect(deliveries).toEqual([]);
      expect(await markOrderKeysDelivered(s.db, row.id)).toBe(0);
      const content = await loadDeliveryContent(s, row);
      expect(content.flatMap((l) => l.keys)).toEqual([]);
      expect(JSON.stringify(s.logLines)).not.toContain(`${prefix}-`);
      expect((await listHeldOrders(s, accountId)).map((h) => h.orderId)).toEqual([row.id]);

      // Another account can neither see nor approve it.
      const other = (await createAccount(s.db, { name: "Other", alertEmail: "o@example.com" })).id;
      expect(await listHeldOrders(s, other)).toEqual([]);
      await expect(approveHeldOrder(s, other, row.id, cli)).rejects.toBeInstanceOf(InvalidInputError);
      expect((await orderRow(order.id))!.risk_decision).toBe("hold");

      await approveHeldOrder(s, accountId, row.id, cli, "known buyer");
      const notes = await waitFor(async () => {
        const n = wc.getNotes(order.id).filter((x) => x.customer_note);
        return n.length ? n : undefined;
      }, 15_000, "the customer note after approval");
      expect(notes).toHaveLength(1);
      expect(notes[0]!.note.match(new RegExp(`${prefix}-\\d{4}`, "g"))).toHaveLength(2);
      await expect(approveHeldOrder(s, accountId, row.id, cli)).rejects.toBeInstanceOf(InvalidInputError);
      const audit = await s.db.selectFrom("audit_log").select(["action", "details"]).where("subject_id", "=", row.id).where("action", "=", "risk.order_approved").execute();
      expect(audit).toHaveLength(1);
    });

    it("deny puts a held order's keys back in stock and nothing is ever written", async () => {
      const before = await keyStates();
      const { order, row } = await paidOrderHeld(3, "other@fraud.example");
      await idle();
      expect((await keyStates()).available).toBe(before.available! - 3);
      const r = await denyHeldOrder(s, accountId, row.id, cli, "stolen card");
      expect(r).toMatchObject({ status: "denied", released: 3 });
      expect((await keyStates()).available).toBe(before.available);
      await idle();
      expect(wc.getNotes(order.id)).toEqual([]);
      expect((await getDecision(s.db, accountId, row.id))).toMatchObject({ review_status: "denied", review_reason: "stolen card", reviewed_by_type: "cli" });
      // A re-run of the denied order hands out nothing again.
      expect((await wc.deliver(hookId, "order.updated", order.id)).status).toBe(200);
      await idle();
      expect((await keyStates()).available).toBe(before.available);
      expect(wc.getNotes(order.id)).toEqual([]);
    });

    it("deny with cancel on the store sets the WooCommerce order cancelled; with refund it refunds what is left through the gateway (restock as asked)", async () => {
      const cancelled = await paidOrderHeld(1, "cancel@fraud.example");
      const r = await denyHeldOrder(s, accountId, cancelled.row.id, cli, "card testing", { cancel: true, refund: false, restock: false });
      expect(r.hostCancel).toBe(true);
      await waitFor(async () => wc.getOrder(cancelled.order.id)!.status === "cancelled" || undefined, 15_000, "cancelled on WooCommerce");
      expect(wc.refundRequests(cancelled.order.id)).toEqual([]);

      const refunded = await paidOrderHeld(2, "refund@fraud.example");
      await denyHeldOrder(s, accountId, refunded.row.id, cli, "stolen card", { cancel: true, refund: true, restock: true });
      const asked = await waitFor(async () => wc.refundRequests(refunded.order.id)[0], 15_000, "refund on WooCommerce");
      expect(asked).toEqual({ orderId: refunded.order.id, amount: "20.00", reason: "keyrelay: denied after risk review", apiRefund: true, apiRestock: true });
      expect(wc.getOrder(refunded.order.id)!.status).toBe("refunded");
      await idle();
      // The order.updated WooCommerce sends for the refund changes nothing: no key comes out.
      expect((await wc.deliver(hookId, "order.updated", refunded.order.id)).status).toBe(200);
      await idle();
      expect(wc.getNotes(refunded.order.id).filter((n) => n.customer_note)).toEqual([]);
      const audits = await s.db.selectFrom("audit_log").select(["subject_id", "details"]).where("action", "=", "risk.host_order_cancelled").where("subject_id", "in", [cancelled.row.id, refunded.row.id]).execute();
      expect(audits.map((a) => [a.subject_id, JSON.parse(a.details!)]).sort()).toEqual(
        [
          [cancelled.row.id, { refund: false, restock: false, alreadyCancelled: false }],
          [refunded.row.id, { refund: true, restock: true, alreadyCancelled: false }],
        ].sort(),
      );
      // A second cancel of a cancelled order (a retry after a lost answer) is no error and asks nothing.
      const { cancelHostOrder } = await import("../../app/.server/use-cases/cancel-host-order.ts");
      await cancelHostOrder(s, { orderId: refunded.row.id, refund: true, restock: true });
      expect(wc.refundRequests(refunded.order.id)).toHaveLength(1);
    });
  });

  describe.skipIf(!available)(`risk hold ended by the host on ${dialect}`, () => {
    let s: TestServices;
    beforeAll(async () => {
      s = await makeServices({ dialect });
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    it("a refund that arrives while an order is held ends the hold: keys back in stock, out of the queue, nothing staged", async () => {
      const shop = await makeShop(s, { refundPolicy: "return_if_unseen" });
      await stockPool(s, shop.accountId, shop.poolId, codes(`E${dialect}`, 5));
      await addRiskRule(s, shop.accountId, { when: "keys >= 2", then: "review" }, cli);
      const order = paidOrder({ quantity: 2 });
      const held = await applyHostOrder(s, shop.store, order);
      expect((await listHeldOrders(s, shop.accountId)).map((h) => h.orderId)).toEqual([held.orderId]);
      await applyHostOrder(s, shop.store, { ...order, status: "refunded", lines: order.lines.map((l) => ({ ...l, refundedQuantity: l.quantity })) });
      expect(await listHeldOrders(s, shop.accountId)).toEqual([]);
      expect(await getDecision(s.db, shop.accountId, held.orderId)).toMatchObject({ review_status: "denied", reviewed_by_type: "system", review_reason: "refunded on the host" });
      const available = await s.db.selectFrom("keys").select((eb) => eb.fn.countAll<number>().as("n")).where("pool_id", "=", shop.poolId).where("state", "=", "available").executeTakeFirstOrThrow();
      expect(Number(available.n)).toBe(5);
      const staged = await s.db.selectFrom("jobs").select("queue").where("account_id", "=", shop.accountId).where("queue", "in", ["deliver-order", "send-email"]).execute();
      expect(staged).toEqual([]);
    });
  });

  describe.skipIf(!available)(`risk velocity under concurrency on ${dialect}`, () => {
    let s: TestServices;
    beforeAll(async () => {
      // Workers off: this looks at the decisions the allocation writes.
      s = await makeServices({ dialect, env: { DATABASE_POOL_SIZE: "12" } });
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    it("100 concurrent orders from one IP: exactly the ones past the limit are held", async () => {
      const shop = await makeShop(s);
      await stockPool(s, shop.accountId, shop.poolId, codes(`V${dialect}`, 120));
      const start = await listRiskRules(s, shop.accountId);
      for (const r of start.rules) await removeRiskRule(s, shop.accountId, r.id, cli);
      await addRiskRule(s, shop.accountId, { when: "keys_per_ip_1h > 5", then: "review", name: "IP burst" }, cli);
      const orders = Array.from({ length: 100 }, (_, i) => ({ ...paidOrder({ email: `buyer${i}@example.com` }), clientIp: "198.51.100.77" }));
      const results = await Promise.allSettled(orders.map((o) => applyHostOrder(s, shop.store, o)));
      // A run that lost a race is retried by its job; do the same.
      for (const [i, r] of results.entries()) if (r.status === "rejected") await applyHostOrder(s, shop.store, orders[i]!);
      const rows = await s.db.selectFrom("risk_decisions").select(["review_status", "facts"]).where("account_id", "=", shop.accountId).execute();
      expect(rows).toHaveLength(100);
      const figures = rows.map((r) => ({ held: r.review_status === "held", n: (JSON.parse(r.facts) as { velocity: Record<string, number> }).velocity.keys_per_ip_1h! }));
      // Each order counted a different number of keys before it: 1..100, no two the same.
      expect(figures.map((f) => f.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(figures.filter((f) => f.held).length).toBe(95);
      expect(figures.every((f) => f.held === f.n > 5)).toBe(true);
      const held = await s.db.selectFrom("orders").select((eb) => eb.fn.countAll<number>().as("n")).where("store_id", "=", shop.store.id).where("risk_decision", "=", "hold").executeTakeFirstOrThrow();
      expect(Number(held.n)).toBe(95);
      const deliverJobs = await s.db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("queue", "=", "deliver-order").where("account_id", "=", shop.accountId).executeTakeFirstOrThrow();
      expect(Number(deliverJobs.n)).toBe(5);
    });
  });
}
