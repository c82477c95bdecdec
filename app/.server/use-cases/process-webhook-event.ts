import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findStoreById, listStoresByIds, setStoreStatus } from "../db/repositories/stores-repo.ts";
import { getWebhookEvent, listWebhookEvents, setWebhookEventStatus } from "../db/repositories/webhook-events-repo.ts";
import type { ControlledTransaction } from "kysely";
import type { Database, Store, WebhookEvent } from "../db/schema.ts";
import { KeyrelayError, PermanentError } from "../domain/errors.ts";
import type { BatchItem, JobContext } from "../jobs/job-queue.ts";
import { runAtMost } from "../jobs/run-at-most.ts";
import type { Services } from "../ports.ts";
import type { HostOrder } from "../../../connectors/host-connector.ts";
import { afterHostOrdersApplied, applyHostOrderIn, type AppliedOrder } from "./apply-host-order.ts";
import { applyWithCard, withOrderCard } from "./read-order-card.ts";
import { withHostRisk } from "./read-host-risk.ts";
import { CardNeededError } from "./risk-gate.ts";
import { handleComplianceRequest } from "./handle-compliance-request.ts";
import { handleDispute, recordDisputedCard } from "./handle-dispute.ts";
import { hostEventMeaning } from "./host-event-meaning.ts";
import { hostFailure } from "./host-failure.ts";
import { isComplianceTopic } from "./record-webhook-event.ts";
import { storeIsInactive } from "../domain/store-status.ts";

type Deps = Pick<Services, "db" | "jobs" | "database" | "connectors" | "config" | "metrics"> & Partial<Pick<Services, "log">>;

/** Receipt → committed, for an event whose order got keys in this run (nothing read, nothing written). */
function observeAllocation(s: Pick<Services, "metrics">, event: Pick<WebhookEvent, "platform" | "received_at">, a: AppliedOrder, committedAt: number): void {
  if (a.outcome.allocated === 0) return;
  const receivedAt = Date.parse(String(event.received_at));
  if (Number.isFinite(receivedAt)) s.metrics.allocationCommitted(event.platform, (committedAt - receivedAt) / 1000);
}

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
  if (storeIsInactive(store.status) && !isComplianceTopic(event.topic) && event.topic !== "app/uninstalled") {
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
      case "risk_changed":
        await hostRiskChanged(s, store, meaning.externalId, meaning.byHost, ctx);
        break;
      case "dispute": {
        // The card, for the offer to block it, read before the dispute's transaction.
        await recordDisputedCard(s, store, meaning.externalId);
        const r = await handleDispute(s, store, meaning);
        if (!r) {
          await setWebhookEventStatus(s.db, event.id, "ignored", "the disputed order is not one keyrelay knows");
          return;
        }
        ctx.log.info({ eventId: event.id, orderId: r.orderId, kind: meaning.kind, revoked: r.revoked, returned: r.returned, duplicate: r.duplicate }, "dispute applied");
        break;
      }
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
        // Shopify's risk and the card, where the rules read them, are asked of the host here: before the transaction.
        const read = [{ store, order }];
        await withHostRisk(s, read);
        order = read[0].order;
        const applied = await applyWithCard(s, store, order, (o) => s.db.transaction().execute((trx) => applyHostOrderIn(s, trx, store, o)));
        observeAllocation(s, event, applied, Date.now());
        await afterHostOrdersApplied(s, [applied]);
        const outcome = applied.outcome;
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

/**
 * Many `process-event` rows at once (the in-process engine hands over the rows that waited
 * together). Events that carry their whole order (Shopify orders/paid, every WooCommerce order)
 * are applied in one transaction, each under its own savepoint: one order's failure rolls back
 * only that order, and a burst of paid orders costs one commit instead of several per order.
 * Everything else (uninstalls, compliance, refunds that need the order fetched from the host,
 * anything unusual) takes the one-by-one path above. Returns each failed row's error.
 */
export async function processWebhookEventBatch(s: Deps, items: BatchItem<"process-event">[], ctx: Pick<JobContext, "log">): Promise<Map<number, unknown>> {
  const failures = new Map<number, unknown>();
  const events = await listWebhookEvents(s.db, items.map((i) => i.payload.eventId));
  const stores = await listStoresByIds(s.db, [...new Set([...events.values()].map((e) => e.store_id).filter((id): id is string => id !== null))]);
  const together: { jobId: number; event: WebhookEvent; store: Store; order: HostOrder }[] = [];
  const alone: BatchItem<"process-event">[] = [];
  for (const item of items) {
    const event = events.get(item.payload.eventId);
    const store = event?.store_id ? stores.get(event.store_id) : undefined;
    const order = event && store && event.status === "received" && !storeIsInactive(store.status) ? carriedOrder(event) : undefined;
    if (event && store && order) together.push({ jobId: item.jobId, event, store, order });
    else alone.push(item);
  }

  // Shopify's risk where the rules wait for it (one request per store), and the cards the rules
  // read, are asked of the host before any transaction (at most `concurrency` at a time).
  await withHostRisk(s, together);
  await runAtMost(together, s.config.jobs.concurrency, async (t) => {
    t.order = await withOrderCard(s, t.store, t.order);
  });

  const applied: AppliedOrder[] = [];
  const cardLater = new Set<number>();
  try {
    // A few orders per transaction: enough to share the commit, short enough that a webhook being
    // recorded meanwhile (it waits for the same connection) is not held up for long.
    for (let i = 0; i < together.length; i += ORDERS_PER_TRANSACTION) {
      const chunk = together.slice(i, i + ORDERS_PER_TRANSACTION);
      const appliedBefore = applied.length;
      const committed: { event: WebhookEvent; a: AppliedOrder }[] = [];
      let trx: ControlledTransaction<Database> | undefined;
      try {
        trx = await s.db.startTransaction().execute();
        for (const t of chunk) {
          const sp = await trx.savepoint("event").execute();
          try {
            const a = await applyHostOrderIn(s, sp, t.store, t.order);
            await setWebhookEventStatus(sp, t.event.id, "processed");
            await sp.releaseSavepoint("event").execute();
            applied.push(a);
            committed.push({ event: t.event, a });
            ctx.log.info({ eventId: t.event.id, orderId: a.outcome.orderId, status: a.outcome.status, allocated: a.outcome.allocated, backordered: a.outcome.backordered, released: a.outcome.released }, "order event applied");
          } catch (e) {
            await sp.rollbackToSavepoint("event").execute();
            await sp.releaseSavepoint("event").execute();
            // The rules want a card that was not read: that event goes the one-by-one way, which reads it.
            if (e instanceof CardNeededError) {
              cardLater.add(t.jobId);
              continue;
            }
            if (e instanceof KeyrelayError && e.kind === "permanent") await setWebhookEventStatus(trx, t.event.id, "failed", e.message);
            failures.set(t.jobId, e);
          }
        }
        await trx.commit().execute();
        const committedAt = Date.now();
        for (const c of committed) observeAllocation(s, c.event, c.a, committedAt);
      } catch (e) {
        // This chunk is undone (or never began); the ones before it stand.
        await trx?.rollback().execute().catch(() => {});
        applied.length = appliedBefore;
        for (const t of chunk) failures.set(t.jobId, e);
      }
    }
  } finally {
    // Whatever committed gets its follow-ups triggered and its pools' low-stock check.
    await afterHostOrdersApplied(s, applied);
  }

  for (const t of together) if (cardLater.has(t.jobId) && !failures.has(t.jobId)) alone.push({ jobId: t.jobId, payload: { eventId: t.event.id } } as BatchItem<"process-event">);
  // The one-by-one path may call the host (a refund's order): at most `concurrency` at a time.
  await runAtMost(alone, s.config.jobs.concurrency, async ({ jobId, payload }) => {
    await processWebhookEvent(s, payload, ctx).catch((e: unknown) => failures.set(jobId, e));
  });
  return failures;
}

const ORDERS_PER_TRANSACTION = 8;

/** The order an event carries in full, or undefined when it does not (or does not parse: the one-by-one path says why). */
function carriedOrder(event: WebhookEvent): HostOrder | undefined {
  try {
    const meaning = hostEventMeaning(event.platform, event.topic, JSON.parse(event.payload));
    return meaning.type === "order" ? (meaning.order ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The host revised an order's risk: an order waiting for it is checked now (not at its next
 * backoff step), so it is decided within moments of Shopify finishing its analysis. An order held
 * for review is decided again when Shopify's own analysis changed (an app's assessment, keyrelay's
 * own verdict among them, does not: that would decide on our own word). Any other order (decided
 * already, or never held) is left as it is.
 */
async function hostRiskChanged(s: Deps, store: Store, externalId: string, byHost: boolean, ctx: Pick<JobContext, "log">): Promise<void> {
  const row = await s.db
    .selectFrom("orders as o")
    .innerJoin("risk_decisions as d", "d.order_id", "o.id")
    .select(["o.id", "d.review_status"])
    .where("o.store_id", "=", store.id)
    .where("o.external_id", "=", externalId)
    .executeTakeFirst();
  if (row?.review_status === "waiting") {
    await s.jobs.enqueue("check-host-risk", { orderId: row.id, attempt: 1 }, { accountId: store.account_id, dedupeKey: `check-host-risk-now:${row.id}` });
    ctx.log.info({ orderId: row.id }, "host risk changed: checking the waiting order now");
  } else if (row?.review_status === "held" && byHost) {
    await s.jobs.enqueue("check-host-risk", { orderId: row.id, attempt: 1, revised: true }, { accountId: store.account_id, dedupeKey: `check-host-risk-revised:${row.id}` });
    ctx.log.info({ orderId: row.id }, "host risk revised: deciding the held order again");
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
