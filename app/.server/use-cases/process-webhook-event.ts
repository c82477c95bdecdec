import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findStoreById, setStoreStatus } from "../db/repositories/stores-repo.ts";
import { getWebhookEvent, setWebhookEventStatus } from "../db/repositories/webhook-events-repo.ts";
import type { Store, WebhookEvent } from "../db/schema.ts";
import { KeyrelayError, PermanentError } from "../domain/errors.ts";
import type { JobContext } from "../jobs/job-queue.ts";
import type { Services } from "../runtime/services.ts";
import { applyHostOrder } from "./apply-host-order.ts";
import { handleComplianceRequest } from "./handle-compliance-request.ts";
import { hostEventMeaning } from "./host-event-meaning.ts";
import { hostFailure } from "./host-failure.ts";
import { isComplianceTopic } from "./record-webhook-event.ts";

type Deps = Pick<Services, "db" | "jobs" | "database" | "connectors" | "config">;

/**
 * The `process-event` job: what a recorded webhook means, done once. Order events go through the
 * same path as reconciliation (applyHostOrder); where the payload does not carry the whole order
 * (a Shopify refund, a WooCommerce order with refunds) the order is fetched from the host first.
 */
export async function processWebhookEvent(s: Deps, payload: { eventId: number }, ctx: Pick<JobContext, "log">): Promise<void> {
  const event = await getWebhookEvent(s.db, payload.eventId);
  if (!event) throw new PermanentError("event_not_found", `webhook event ${payload.eventId} does not exist`);
  if (event.status !== "received") return;
  const store = event.store_id ? await findStoreById(s.db, event.store_id) : undefined;
  if (!store) {
    await setWebhookEventStatus(s.db, event.id, "ignored", "unknown store");
    return;
  }
  if ((store.status === "uninstalled" || store.status === "disconnected") && !isComplianceTopic(event.topic) && event.topic !== "app/uninstalled") {
    await setWebhookEventStatus(s.db, event.id, "ignored", `store is ${store.status}`);
    return;
  }
  let meaning;
  try {
    meaning = hostEventMeaning(event.platform, event.topic, JSON.parse(event.payload));
  } catch (e) {
    await setWebhookEventStatus(s.db, event.id, "failed", e instanceof Error ? e.message : String(e));
    throw new PermanentError("webhook_payload_invalid", e instanceof Error ? e.message : String(e));
  }
  try {
    switch (meaning.type) {
      case "uninstalled":
        await uninstall(s, store, event, ctx);
        return;
      case "customer_data_request":
      case "customer_redact":
      case "shop_redact":
        await handleComplianceRequest(s, store, meaning, event.id);
        break;
      case "order": {
        let order = meaning.order;
        if (!order) {
          const connector = await s.connectors.forStore(store);
          order = await connector.fetchOrder(meaning.externalId).catch((e) => hostFailure(s, store, e));
        }
        if (!order) {
          await setWebhookEventStatus(s.db, event.id, "ignored", "the order no longer exists on the host");
          return;
        }
        const outcome = await applyHostOrder(s, store, order);
        ctx.log.info({ eventId: event.id, orderId: outcome.orderId, status: outcome.status, allocated: outcome.allocated, backordered: outcome.backordered, released: outcome.released }, "order event applied");
        break;
      }
    }
    await setWebhookEventStatus(s.db, event.id, "processed");
  } catch (e) {
    // Parked for good: say why on the event. A retryable failure leaves it `received` for the retry.
    if (e instanceof KeyrelayError && e.kind === "permanent") await setWebhookEventStatus(s.db, event.id, "failed", e.message);
    throw e;
  }
}

async function uninstall(s: Deps, store: Store, event: WebhookEvent, ctx: Pick<JobContext, "log">): Promise<void> {
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
}
