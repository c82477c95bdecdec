import crypto from "node:crypto";
import type { Executor } from "../db/repositories/job-rows.ts";
import type { WebhookEvent } from "../domain/reseller-webhook.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";

/**
 * Queues an event for every live endpoint of the reseller that asked for it, in the caller's
 * transaction (a delivery row and a staged job per endpoint, triggered after commit): an event
 * is sent if and only if what it reports committed. Payloads carry ids and counts, never keys:
 * the reseller reads its keys with GET /api/v1/orders/{id}.
 */
export async function emitResellerEvent(
  s: Pick<Services, "jobs">,
  trx: Executor,
  e: { accountId: string; resellerId: string; type: WebhookEvent; data: Record<string, unknown>; now: string },
): Promise<StagedJob[]> {
  const endpoints = await trx
    .selectFrom("reseller_webhook_endpoints")
    .select(["id", "events"])
    .where("account_id", "=", e.accountId)
    .where("reseller_id", "=", e.resellerId)
    .where("deleted_at", "is", null)
    .execute();
  const staged: StagedJob[] = [];
  for (const ep of endpoints) {
    if (!ep.events.split(",").includes(e.type)) continue;
    const eventId = `evt_${crypto.randomBytes(12).toString("hex")}`;
    const payload = JSON.stringify({ id: eventId, type: e.type, created: e.now, data: e.data });
    const row = await trx
      .insertInto("reseller_webhook_deliveries")
      .values({ account_id: e.accountId, reseller_id: e.resellerId, endpoint_id: ep.id, event_id: eventId, event_type: e.type, payload, status: "pending", last_status: null, last_error: null, created_at: e.now, last_attempt_at: null, delivered_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    staged.push(await s.jobs.stage(trx, "reseller-webhook", { deliveryId: Number(row.id) }, { accountId: e.accountId, maxAttempts: 100 }));
  }
  return staged;
}
