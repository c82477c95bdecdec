import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { readOperationalGauges } from "../../app/.server/use-cases/read-operational-gauges.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, paidOrder, stockPool, type Shop } from "../support/fulfilment-fixtures.ts";
import { parsePrometheusText } from "../support/prometheus-text.ts";
import { redisAvailable } from "../support/services-available.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The scrape-time gauges against a real database (and BullMQ's Redis), with no worker running so
 * every row stays where the test put it.
 */
for (const { dialect, available } of dialects) {
  const bullmq = dialect === "postgres" && redisAvailable;
  describe.skipIf(!available)(`scrape-time gauges on ${dialect}${bullmq ? " + BullMQ" : ""}`, () => {
    let s: TestServices;
    let shop: Shop;
    const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

    beforeAll(async () => {
      s = await makeServices({ dialect, redis: bullmq, env: { METRICS_TOKEN: "gauges-token-0123456789abcdef" } });
      shop = await makeShop(s, { platform: "woocommerce", domain: "https://gauges.example" });
      await stockPool(s, shop.accountId, shop.poolId, ["G-1", "G-2", "G-3"]);
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    it("counts backorders and their age, held orders, keys per pool, and the job backlog per queue", async () => {
      // 3 keys, 5 wanted: 3 allocated, 2 backordered — the backorders made an hour ago.
      const order = await applyHostOrder(s, shop.store, paidOrder({ quantity: 5, email: "gauge-buyer@example.com" }));
      expect(order).toMatchObject({ allocated: 3, backordered: 2 });
      await s.db.updateTable("allocations").set({ created_at: hourAgo() }).where("status", "=", "backordered").execute();
      await s.db.updateTable("orders").set({ risk_decision: "hold" }).where("id", "=", order.orderId).execute();
      // The order staged its follow-ups; one more job made due an hour ago, one not due for a minute.
      const late = await s.jobs.enqueue("low-stock-alert", { accountId: shop.accountId, poolId: shop.poolId });
      await s.db.updateTable("jobs").set({ run_at: hourAgo() }).where("id", "=", late.id).execute();
      await s.jobs.enqueue("reconcile-store", { storeId: shop.store.id }, { delayMs: 60_000 });

      const pendingByQueue = new Map<string, number>();
      for (const r of await s.db.selectFrom("jobs").select("queue").where("status", "=", "pending").execute()) pendingByQueue.set(r.queue, (pendingByQueue.get(r.queue) ?? 0) + 1);

      const g = await readOperationalGauges(s);
      expect(g.backordersOpen).toBe(2);
      expect(g.oldestBackorderAgeSeconds).toBeGreaterThanOrEqual(3_590);
      expect(g.oldestBackorderAgeSeconds).toBeLessThan(3_700);
      expect(g.heldForReview).toBe(1);
      expect(g.availableKeysByPool).toEqual([{ pool: shop.poolId, available: 0 }]);
      for (const [queue, pending] of pendingByQueue) expect(g.jobTable.find((q) => q.queue === queue)?.pending, queue).toBe(pending);
      expect(g.jobTable.find((q) => q.queue === "low-stock-alert")?.oldestDueAgeSeconds).toBeGreaterThanOrEqual(3_590);
      expect(g.jobTable.find((q) => q.queue === "reconcile-store")).toMatchObject({ pending: 1, running: 0, oldestDueAgeSeconds: 0 });
      if (bullmq) {
        const q = (name: string) => g.bullmq?.find((b) => b.queue === name);
        expect(q("reconcile-store")).toMatchObject({ delayed: 1, waiting: 0 });
        expect(q("low-stock-alert")).toMatchObject({ waiting: 1, delayed: 0 });
        expect(q("low-stock-alert")!.oldestWaitingAgeSeconds).toBeGreaterThanOrEqual(0);
      } else expect(g.bullmq).toBeUndefined();

      // The same numbers reach /metrics' text.
      const e = parsePrometheusText((await s.metrics.render()).body);
      expect(e.value("keyrelay_backorders_open")).toBe(2);
      expect(e.value("keyrelay_orders_held_for_review")).toBe(1);
      expect(e.value("keyrelay_pool_available_keys", { pool: shop.poolId })).toBe(0);
      expect(e.value("keyrelay_jobs", { queue: "reconcile-store", state: "pending" })).toBe(1);
      if (bullmq) expect(e.value("keyrelay_bullmq_jobs", { queue: "reconcile-store", state: "delayed" })).toBe(1);
      for (const v of e.labelValues()) {
        expect(v).not.toContain("@");
        expect(v).not.toBe(order.orderId);
      }
    });
  });
}
