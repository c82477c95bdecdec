import { decodeKeyPayload } from "../crypto/key-payload.ts";
import { transitionKeys } from "../db/repositories/allocations-repo.ts";
import { listOrderLines } from "../db/repositories/orders-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import type { DeliveryLine } from "../domain/delivery-content.ts";
import type { Services } from "../ports.ts";

/**
 * Before a channel carries an order's keys to the buyer, its allocated keys become `delivered`
 * (one conditional UPDATE): from then on the buyer may have seen them, so a refund revokes them
 * instead of returning them to stock. Marking first, sending second, means a refund racing a send
 * can never put a key back on sale that the buyer is about to receive.
 */
export async function markOrderKeysDelivered(db: Executor, orderId: string, opts: { lineIds?: string[] } = {}): Promise<number> {
  // `lineIds` narrows it to the lines about to be shown (the buyer page reveals some pools on click).
  if (opts.lineIds?.length === 0) return 0;
  let query = db
    .selectFrom("allocations as a")
    .innerJoin("order_lines as l", "l.id", "a.order_line_id")
    .innerJoin("keys as k", "k.id", "a.key_id")
    .innerJoin("orders as o", "o.id", "l.order_id")
    .select("a.key_id")
    .where("l.order_id", "=", orderId)
    // A held or denied order's keys are never marked, so no channel ever shows them (risk-gate.ts).
    .where("o.risk_decision", "not in", ["hold", "rejected"])
    .where("a.status", "=", "allocated")
    .where("k.state", "=", "allocated");
  if (opts.lineIds) query = query.where("l.id", "in", opts.lineIds);
  const rows = await query.execute();
  const moved = await transitionKeys(db, rows.map((r) => Number(r.key_id)), "deliver", new Date().toISOString());
  return moved.length;
}

/**
 * The order's delivery as the buyer should see it now: every live key already marked delivered,
 * per line (decrypted in memory), how many units still wait for stock, and how many were taken back. Lines that map to no
 * pool are left out.
 */
export async function loadDeliveryContent(s: Pick<Services, "db" | "cipher">, order: { id: string; account_id: string }): Promise<DeliveryLine[]> {
  const lines = (await listOrderLines(s.db, order.id)).filter((l) => l.pool_id !== null);
  if (lines.length === 0) return [];
  const units = await s.db
    .selectFrom("allocations as a")
    .leftJoin("keys as k", "k.id", "a.key_id")
    .select(["a.order_line_id", "a.unit_index", "a.status", "k.ciphertext", "k.key_id as master_key_id", "k.state as key_state"])
    .where("a.order_line_id", "in", lines.map((l) => l.id))
    .orderBy("a.order_line_id")
    .orderBy("a.unit_index")
    .execute();
  return lines.map((l) => {
    const own = units.filter((u) => u.order_line_id === l.id);
    return {
      orderLineId: l.id,
      externalLineId: l.external_line_id,
      title: l.title,
      keys: own
        // Only keys marked delivered (markOrderKeysDelivered) are shown: a key a backorder fill
        // added after the marking waits for the delivery that fill staged, which marks it first.
        .filter((u) => u.status === "allocated" && u.key_state === "delivered" && u.ciphertext && u.master_key_id)
        .map((u) => decodeKeyPayload(s.cipher.openString({ ciphertext: Buffer.from(u.ciphertext!), keyId: u.master_key_id! }, order.account_id))),
      pendingUnits: own.filter((u) => u.status === "backordered").length,
      unmarkedUnits: own.filter((u) => u.status === "allocated" && u.key_state === "allocated").length,
      releasedUnits: own.filter((u) => u.status === "revoked" || u.status === "returned" || u.status === "dropped").length,
    };
  });
}
