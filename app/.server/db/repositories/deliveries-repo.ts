import type { Delivery, DeliveryChannel } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

/** Marks a channel as having something (new) to deliver for the order. */
export async function markDeliveryPending(db: Executor, accountId: string, orderId: string, channel: DeliveryChannel, now: string): Promise<void> {
  await markDeliveriesPending(db, accountId, orderId, [channel], now);
}

/** Every channel of the order pending again (created where it was not yet), in one statement. */
export async function markDeliveriesPending(db: Executor, accountId: string, orderId: string, channels: readonly DeliveryChannel[], now: string): Promise<void> {
  if (channels.length === 0) return;
  await db
    .insertInto("deliveries")
    .values(channels.map((channel) => ({ account_id: accountId, order_id: orderId, channel, status: "pending" as const, attempts: 0, last_error: null, sent_at: null, first_viewed_at: null, view_count: 0, reference: null, created_at: now, updated_at: now })))
    .onConflict((oc) => oc.columns(["order_id", "channel"]).doUpdateSet({ status: "pending", updated_at: now }))
    .execute();
}

/** Records one attempt's outcome for a channel. */
export async function recordDeliveryOutcome(
  db: Executor,
  orderId: string,
  channel: DeliveryChannel,
  outcome: { status: "sent" | "failed" | "skipped" | "pending"; error?: string | null; reference?: string | null },
): Promise<void> {
  const now = new Date().toISOString();
  await db
    .updateTable("deliveries")
    .set((eb) => ({
      status: outcome.status,
      attempts: eb("attempts", "+", 1),
      last_error: outcome.error ?? null,
      updated_at: now,
      ...(outcome.status === "sent" ? { sent_at: now } : {}),
      ...(outcome.reference !== undefined ? { reference: outcome.reference } : {}),
    }))
    .where("order_id", "=", orderId)
    .where("channel", "=", channel)
    .execute();
}

export function listDeliveries(db: Executor, orderId: string): Promise<Delivery[]> {
  return db.selectFrom("deliveries").selectAll().where("order_id", "=", orderId).orderBy("channel").execute();
}

export function getDelivery(db: Executor, orderId: string, channel: DeliveryChannel): Promise<Delivery | undefined> {
  return db.selectFrom("deliveries").selectAll().where("order_id", "=", orderId).where("channel", "=", channel).executeTakeFirst();
}
