import type { VerifiedEvent } from "../../../connectors/host-connector.ts";
import { findStoreByDomain } from "../db/repositories/stores-repo.ts";
import { insertWebhookEvent } from "../db/repositories/webhook-events-repo.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../runtime/services.ts";
import { hostEventMeaning } from "./host-event-meaning.ts";

export type RecordOutcome =
  | { status: "recorded"; eventId: number }
  | { status: "duplicate" }
  | { status: "ignored"; reason: "unknown_store" | "store_inactive" };

/** Erasure requests must be honoured even after the shop uninstalled (shop/redact comes 48 h later). */
export function isComplianceTopic(topic: string): boolean {
  return topic === "shop/redact" || topic.startsWith("customers/");
}

/**
 * What a webhook request does, and all it does: record the verified event (unique on its
 * identity) and its processing job in one transaction, then trigger the job. The answer goes back
 * to the host at once; a redelivery finds the row and changes nothing. Events for a shop that never
 * installed, or for a disconnected or uninstalled store, are recorded as ignored: kept, visible,
 * re-drivable, but not acted on.
 */
export async function recordWebhookEvent(s: Pick<Services, "db" | "jobs">, event: VerifiedEvent): Promise<RecordOutcome> {
  const store = await findStoreByDomain(s.db, event.platform, event.source);
  const inactive = store && (store.status === "uninstalled" || store.status === "disconnected") && !isComplianceTopic(event.topic);
  const ignoredBecause = !store ? "unknown store" : inactive ? `store is ${store.status}` : undefined;
  // A live store's event must make sense before it is recorded: a broken payload gets a 4xx now,
  // not a parked job later.
  if (!ignoredBecause) hostEventMeaning(event.platform, event.topic, event.payload);
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
      triggeredAt: event.triggeredAt,
      ignoredBecause,
    });
    if (eventId === null) return { status: "duplicate" };
    if (!store) return { status: "ignored", reason: "unknown_store" };
    if (inactive) return { status: "ignored", reason: "store_inactive" };
    staged = await s.jobs.stage(trx, "process-event", { eventId }, { dedupeKey: `process-event:${eventId}`, accountId: store.account_id });
    return { status: "recorded", eventId };
  });
  if (staged) await s.jobs.trigger([staged]);
  return outcome;
}
