import { sql } from "kysely";
import type { DeliveryChannel } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

/**
 * One view of an order's keys on a buyer-facing channel (the signed key page, the checkout
 * extension): the channel's row is created on the first view (first_viewed_at, sent), and every
 * view after it counts one more. One statement, so concurrent views never lose a count.
 */
export async function recordDeliveryView(db: Executor, accountId: string, orderId: string, channel: Extract<DeliveryChannel, "buyer_page" | "extension">, now: string): Promise<void> {
  await db
    .insertInto("deliveries")
    .values({ account_id: accountId, order_id: orderId, channel, status: "sent", attempts: 0, last_error: null, sent_at: now, first_viewed_at: now, view_count: 1, reference: null, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.columns(["order_id", "channel"]).doUpdateSet({
        status: "sent",
        view_count: sql<number>`deliveries.view_count + 1`,
        first_viewed_at: sql<string>`coalesce(deliveries.first_viewed_at, ${now})`,
        sent_at: sql<string>`coalesce(deliveries.sent_at, ${now})`,
        updated_at: now,
      }),
    )
    .execute();
}
