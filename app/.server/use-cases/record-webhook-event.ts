import type { VerifiedEvent } from "../../../connectors/host-connector.ts";
import { findStoreByDomain } from "../db/repositories/stores-repo.ts";
import { insertWebhookEvent } from "../db/repositories/webhook-events-repo.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../runtime/services.ts";

export type RecordOutcome =
  | { status: "recorded"; eventId: number }
  | { status: "duplicate" }
  | { status: "ignored"; reason: "unknown_store" };

/**
 * What a webhook request does, and all it does: record the verified event (unique on its
 * identity) and its processing job in one transaction, then trigger the job. The answer goes back
 * to the host at once; a redelivery finds the row and changes nothing.
 */
export async function recordWebhookEvent(s: Pick<Services, "db" | "jobs">, event: VerifiedEvent): Promise<RecordOutcome> {
  const store = await findStoreByDomain(s.db, event.platform, event.source);
  let staged: StagedJob | undefined;
  const outcome = await s.db.transaction().execute(async (trx): Promise<RecordOutcome> => {
    const eventId = await insertWebhookEvent(trx, {
      accountId: store?.account_id ?? null,
      storeId: store?.id ?? null,
      platform: event.platform,
      topic: event.topic,
      deliveryId: event.deliveryId,
      dedupeKey: event.dedupeKey,
      payloadHash: event.payloadHash,
      payload: JSON.stringify(event.payload),
    });
    if (eventId === null) return { status: "duplicate" };
    if (!store) {
      // Kept for the record (a shop that never installed, or was erased), but nothing to do.
      await trx.updateTable("webhook_events").set({ status: "ignored", error: "unknown store", processed_at: new Date().toISOString() }).where("id", "=", eventId).execute();
      return { status: "ignored", reason: "unknown_store" };
    }
    staged = await s.jobs.stage(trx, "process-event", { eventId }, { dedupeKey: `process-event:${eventId}` });
    return { status: "recorded", eventId };
  });
  if (staged) await s.jobs.trigger([staged]);
  return outcome;
}
