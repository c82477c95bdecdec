import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findStoreById, setStoreStatus } from "../db/repositories/stores-repo.ts";
import { getWebhookEvent, setWebhookEventStatus } from "../db/repositories/webhook-events-repo.ts";
import { PermanentError } from "../domain/errors.ts";
import type { JobContext } from "../jobs/job-queue.ts";
import type { Services } from "../runtime/services.ts";
import { isComplianceTopic } from "./record-webhook-event.ts";

/**
 * The `process-event` job. Topics whose handling belongs to later work (orders, refunds,
 * compliance requests) stay `received`, recorded and visible, until their handler exists;
 * they are not marked done or dropped.
 */
export async function processWebhookEvent(s: Pick<Services, "db">, payload: { eventId: number }, ctx: JobContext): Promise<void> {
  const event = await getWebhookEvent(s.db, payload.eventId);
  if (!event) throw new PermanentError("event_not_found", `webhook event ${payload.eventId} does not exist`);
  if (event.status !== "received") return;
  const store = event.store_id ? await findStoreById(s.db, event.store_id) : undefined;
  if (!store) {
    await setWebhookEventStatus(s.db, event.id, "ignored", "unknown store");
    return;
  }
  if (event.platform === "shopify" && event.topic === "app/uninstalled") {
    // A late delivery of an uninstall from before the latest reinstall must not undo it.
    const happenedAt = event.triggered_at ?? event.received_at;
    if (store.installed_at && happenedAt < store.installed_at) {
      await setWebhookEventStatus(s.db, event.id, "ignored", "uninstall predates the latest install");
      return;
    }
    await s.db.transaction().execute(async (trx) => {
      await setStoreStatus(trx, store.id, "uninstalled");
      await trx.deleteFrom("shopify_sessions").where("shop", "=", store.domain).execute();
      await recordAudit(trx, { accountId: store.account_id, actorType: "system", action: "store.uninstalled", subjectType: "store", subjectId: store.id });
    });
    await setWebhookEventStatus(s.db, event.id, "processed");
    ctx.log.info({ storeId: store.id }, "shop uninstalled the app");
    return;
  }
  if ((store.status === "uninstalled" || store.status === "disconnected") && !isComplianceTopic(event.topic)) {
    await setWebhookEventStatus(s.db, event.id, "ignored", `store is ${store.status}`);
    return;
  }
  ctx.log.info({ eventId: event.id, topic: event.topic }, "webhook recorded; awaiting its topic's handler");
}
