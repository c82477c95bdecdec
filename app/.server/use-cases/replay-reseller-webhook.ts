import { recordAudit } from "../db/repositories/audit-repo.ts";
import { ResellerApiError } from "../domain/reseller-api-error.ts";
import type { Services } from "../ports.ts";
import { callerRef, type ResellerCaller } from "./authenticate-reseller.ts";

/**
 * Sends a delivery again (the portal's "replay"): a new delivery row with the same event id and
 * payload (so a receiver that dedupes on the id sees the same event), to the same endpoint, then
 * the `reseller-webhook` job as for any event; the original row stays as it was, its log intact.
 * Another reseller's delivery, or one of a deleted endpoint, is not_found (404).
 */
export async function replayResellerWebhook(s: Pick<Services, "db" | "jobs">, caller: ResellerCaller, deliveryId: number, ip: string | null): Promise<{ deliveryId: number }> {
  const r = caller.reseller;
  const staged = await s.db.transaction().execute(async (trx) => {
    const d = Number.isSafeInteger(deliveryId)
      ? await trx
          .selectFrom("reseller_webhook_deliveries as d")
          .innerJoin("reseller_webhook_endpoints as e", "e.id", "d.endpoint_id")
          .select(["d.id", "d.endpoint_id", "d.event_id", "d.event_type", "d.payload"])
          .where("d.id", "=", deliveryId)
          .where("d.account_id", "=", r.account_id)
          .where("d.reseller_id", "=", r.id)
          .where("e.deleted_at", "is", null)
          .executeTakeFirst()
      : undefined;
    if (!d) throw new ResellerApiError("not_found", "no such webhook delivery");
    const now = new Date().toISOString();
    const row = await trx
      .insertInto("reseller_webhook_deliveries")
      .values({ account_id: r.account_id, reseller_id: r.id, endpoint_id: d.endpoint_id, event_id: d.event_id, event_type: d.event_type, payload: d.payload, status: "pending", last_status: null, last_error: null, created_at: now, last_attempt_at: null, delivered_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { accountId: r.account_id, actorType: "reseller", actorId: r.id, action: "reseller.webhook_replayed", subjectType: "webhook_delivery", subjectId: String(d.id), details: { endpointId: d.endpoint_id, eventId: d.event_id, newDeliveryId: Number(row.id), ...callerRef(caller) }, ip });
    return { job: await s.jobs.stage(trx, "reseller-webhook", { deliveryId: Number(row.id) }, { accountId: r.account_id, maxAttempts: 100 }), id: Number(row.id) };
  });
  await s.jobs.trigger([staged.job]);
  return { deliveryId: staged.id };
}
