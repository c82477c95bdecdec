import type { StorePlatform, WebhookEvent, WebhookEventStatus } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export interface NewWebhookEvent {
  accountId: string | null;
  storeId: string | null;
  platform: StorePlatform;
  topic: string;
  deliveryId: string | null;
  dedupeKey: string;
  payloadHash: string;
  payload: string;
  triggeredAt: string | null;
  /** Recorded as already settled (ignored), with the reason. */
  ignoredBecause?: string;
}

/** Inserts unless an event with the same dedupe key exists. Returns the new row's id, or null for a duplicate. */
export async function insertWebhookEvent(db: Executor, e: NewWebhookEvent): Promise<number | null> {
  const r = await db
    .insertInto("webhook_events")
    .values({
      account_id: e.accountId,
      store_id: e.storeId,
      platform: e.platform,
      topic: e.topic,
      delivery_id: e.deliveryId,
      dedupe_key: e.dedupeKey,
      payload_hash: e.payloadHash,
      payload: e.payload,
      status: e.ignoredBecause ? "ignored" : "received",
      error: e.ignoredBecause ?? null,
      triggered_at: e.triggeredAt,
      received_at: new Date().toISOString(),
      processed_at: e.ignoredBecause ? new Date().toISOString() : null,
    })
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .returning("id")
    .executeTakeFirst();
  return r ? Number(r.id) : null;
}

export async function getWebhookEvent(db: Executor, id: number): Promise<WebhookEvent | undefined> {
  return db.selectFrom("webhook_events").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listWebhookEvents(db: Executor, ids: number[]): Promise<Map<number, WebhookEvent>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("webhook_events").selectAll().where("id", "in", ids).execute();
  return new Map(rows.map((r) => [Number(r.id), r]));
}

export async function setWebhookEventStatus(db: Executor, id: number, status: WebhookEventStatus, error: string | null = null): Promise<void> {
  await db
    .updateTable("webhook_events")
    .set({ status, error, processed_at: status === "received" ? null : new Date().toISOString() })
    .where("id", "=", id)
    .execute();
}

export async function countWebhookEvents(db: Executor, filter: { storeId?: string } = {}): Promise<number> {
  let q = db.selectFrom("webhook_events").select((eb) => eb.fn.countAll<number>().as("n"));
  if (filter.storeId) q = q.where("store_id", "=", filter.storeId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}
