import { claimAvailableKeys, fillBackorder, oldestBackorders, poolHasBackorders, returnUnseenKey } from "../db/repositories/allocations-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { markDeliveryPending } from "../db/repositories/deliveries-repo.ts";
import { findOrderById, setOrderStatus } from "../db/repositories/orders-repo.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { parseStoreSettings, sendsOwnEmail } from "../domain/store-settings.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { sql } from "kysely";
import { countAvailableUpTo } from "../db/repositories/pools-repo.ts";
import { RetryableError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { emitResellerEvent } from "./emit-reseller-event.ts";
import { deliveryWithheld } from "./risk-gate.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";

const PAGE = 200;

/**
 * The `fill-backorders` job: when keys arrive in a pool (import, return to stock), hand them to
 * the waiting units, oldest first, in short transactions; each order that received keys is
 * written back and emailed like any delivery. Runs until the pool is out of keys or backorders.
 */
export async function fillBackorders(s: Pick<Services, "db" | "jobs" | "database" | "config">, payload: { accountId: string; poolId: string }): Promise<{ filled: number }> {
  let filled = 0;
  for (;;) {
    const staged: StagedJob[] = [];
    const page = await s.db.transaction().execute(async (trx): Promise<{ given: number; more: boolean; blocked?: boolean }> => {
      const now = new Date().toISOString();
      let waiting = await oldestBackorders(trx, s.database.dialect, payload.poolId, PAGE);
      if (waiting.length === 0) return { given: 0, more: false };
      // Postgres: an order being changed right now (a refund holds its row, then wants these
      // allocation rows) is not waited for — that would be a deadlock. Fill up to the first such
      // order, so first in stays first out, and come back for the rest shortly.
      let blocked = false;
      if (s.database.dialect === "postgres") {
        const free = await lockableOrders(trx, [...new Set(waiting.map((w) => w.orderId))]);
        const first = waiting.findIndex((w) => !free.has(w.orderId));
        if (first >= 0) {
          waiting = waiting.slice(0, first);
          blocked = true;
          if (waiting.length === 0) return { given: 0, more: false, blocked };
        }
      }
      const keys = await claimAvailableKeys(trx, s.database.dialect, payload.poolId, waiting.length, now);
      const orders = new Set<string>();
      let given = 0;
      for (let i = 0; i < keys.length; i++) {
        if (await fillBackorder(trx, waiting[i].id, keys[i], now)) {
          orders.add(waiting[i].orderId);
          given++;
        } else {
          // The backorder was dropped meanwhile (Postgres skips locked rows, so only a refund
          // committed between the select and here): the key goes back to stock.
          await returnUnseenKey(trx, keys[i], now);
        }
      }
      for (const orderId of orders) {
        const order = await findOrderById(trx, orderId);
        if (!order) continue;
        const left = await trx
          .selectFrom("allocations as a")
          .innerJoin("order_lines as l", "l.id", "a.order_line_id")
          .select("a.id")
          .where("l.order_id", "=", orderId)
          .where("a.status", "=", "backordered")
          .limit(1)
          .executeTakeFirst();
        await setOrderStatus(trx, orderId, left ? "partially_allocated" : "allocated", now);
        // A reseller's order (no store) is read over the reseller API: nothing to write back or
        // mail; once its last unit has its key, its webhook says so.
        if (!order.store_id) {
          // A held (or denied) order's keys are not shown yet: approving it sends order.fulfilled.
          if (!left && order.reseller_id && !deliveryWithheld(order)) staged.push(...(await emitResellerEvent(s, trx, { accountId: order.account_id, resellerId: order.reseller_id, type: "order.backorder_filled", data: { order_id: orderId, reference: order.reference ?? null }, now })));
          continue;
        }
        await markDeliveryPending(trx, order.account_id, orderId, "note", now);
        staged.push(await s.jobs.stage(trx, "deliver-order", { orderId }, { accountId: order.account_id, dedupeKey: `deliver-order:${orderId}` }));
        const store = await findStoreById(trx, order.store_id);
        if (store && sendsOwnEmail(store.platform, parseStoreSettings(store.settings))) {
          await markDeliveryPending(trx, order.account_id, orderId, "email", now);
          staged.push(await s.jobs.stage(trx, "send-email", { orderId, kind: "backorder-filled" }, { accountId: order.account_id, dedupeKey: `send-email:${orderId}` }));
        }
      }
      if (given) {
        await recordAudit(trx, { accountId: payload.accountId, actorType: "system", action: "backorders.filled", subjectType: "pool", subjectId: payload.poolId, details: { units: given, orders: orders.size } });
        staged.push(await stageStockSync(s, trx, payload.accountId, payload.poolId));
      }
      // Fewer keys than waiting units: the pool is empty, the rest wait for the next delivery.
      return { given, more: keys.length === waiting.length && !blocked, blocked };
    });
    await s.jobs.trigger(staged);
    filled += page.given;
    if (page.blocked) throw new RetryableError("backorder_order_busy", "an order with waiting units is being changed; filling again shortly", { retryAfterMs: 500 });
    if (!page.more) {
      // Postgres skips keys another transaction holds: if such keys turn out to be free after all
      // (that transaction rolled back) while units still wait, try again shortly instead of
      // leaving them idle until the next stock change.
      if (s.database.dialect === "postgres") {
        if ((await poolHasBackorders(s.db, payload.poolId)) && (await countAvailableUpTo(s.db, payload.poolId, 1)) > 0) throw new RetryableError("keys_busy", "keys were held by another transaction; filling again shortly", { retryAfterMs: 500 });
      }
      return { filled };
    }
  }
}

/** Of these orders, the ones whose row no other transaction holds now (locked for this one). */
async function lockableOrders(trx: Executor, orderIds: string[]): Promise<Set<string>> {
  const r = await sql<{ id: string }>`select id from orders where id in (${sql.join(orderIds)}) for update skip locked`.execute(trx);
  return new Set(r.rows.map((x) => x.id));
}
