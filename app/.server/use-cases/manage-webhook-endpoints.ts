import crypto from "node:crypto";
import type { KeyCipher } from "../crypto/key-cipher.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { ResellerApiError } from "../domain/reseller-api-error.ts";
import { newEndpointSecret } from "../crypto/webhook-signature.ts";
import { checkEndpointUrl, isWebhookEvent, WEBHOOK_EVENTS, type WebhookEvent } from "../domain/reseller-webhook.ts";
import type { Services } from "../ports.ts";
import { callerRef, type ResellerCaller } from "./authenticate-reseller.ts";

/**
 * A reseller's webhook endpoints over the API (scope webhooks:write): create (the signing secret
 * is answered once, stored sealed and bound to the endpoint id), list with each one's recent
 * deliveries (the delivery log), delete. At most 10 live endpoints per reseller. Another
 * reseller's endpoint is "not found".
 */
const MAX_ENDPOINTS = 10;
const aadOf = (endpointId: string) => `reseller-webhook:${endpointId}`;

export function openEndpointSecret(cipher: KeyCipher, ep: { id: string; secret_ciphertext: Buffer; secret_key_id: string }): string {
  return cipher.openString({ ciphertext: Buffer.from(ep.secret_ciphertext), keyId: ep.secret_key_id }, aadOf(ep.id));
}

export interface EndpointView {
  id: string;
  url: string;
  events: WebhookEvent[];
  created_at: string;
}

function view(r: { id: string; url: string; events: string; created_at: string }): EndpointView {
  return { id: r.id, url: r.url, events: r.events.split(",").filter(isWebhookEvent), created_at: r.created_at };
}

export async function createWebhookEndpoint(s: Pick<Services, "db" | "cipher" | "config">, caller: ResellerCaller, body: { url: string; events?: string[] }, ip: string | null): Promise<EndpointView & { secret: string }> {
  const url = checkEndpointUrl(body.url, s.config.resellerWebhooks.allowHttp);
  if (!url) throw new ResellerApiError("invalid_body", "url: an https URL without credentials is required", { field: "url" });
  const events = body.events ?? [...WEBHOOK_EVENTS];
  const unknown = events.find((e) => !isWebhookEvent(e));
  if (unknown !== undefined || events.length === 0) throw new ResellerApiError("invalid_body", `events: one or more of ${WEBHOOK_EVENTS.join(", ")}`, { field: "events" });
  const r = caller.reseller;
  const live = await s.db.selectFrom("reseller_webhook_endpoints").select((eb) => eb.fn.countAll<number>().as("n")).where("reseller_id", "=", r.id).where("deleted_at", "is", null).executeTakeFirstOrThrow();
  if (Number(live.n) >= MAX_ENDPOINTS) throw new ResellerApiError("invalid_body", `at most ${MAX_ENDPOINTS} webhook endpoints`, { field: "url" });
  const id = `we_${crypto.randomBytes(10).toString("hex")}`;
  const secret = newEndpointSecret();
  const sealed = s.cipher.seal(secret, aadOf(id));
  const now = new Date().toISOString();
  await s.db
    .insertInto("reseller_webhook_endpoints")
    .values({ id, account_id: r.account_id, reseller_id: r.id, url, events: [...new Set(events)].join(","), secret_ciphertext: sealed.ciphertext, secret_key_id: sealed.keyId, created_at: now, deleted_at: null })
    .execute();
  await recordAudit(s.db, { accountId: r.account_id, actorType: "reseller", actorId: r.id, action: "reseller.webhook_endpoint_created", subjectType: "webhook_endpoint", subjectId: id, details: { url, events, ...callerRef(caller) }, ip });
  return { ...view({ id, url, events: events.join(","), created_at: now }), secret };
}

export interface DeliveryView {
  id: number;
  event_id: string;
  type: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export async function listWebhookEndpoints(s: Pick<Services, "db">, caller: ResellerCaller): Promise<{ data: (EndpointView & { recent_deliveries: DeliveryView[] })[] }> {
  const eps = await s.db.selectFrom("reseller_webhook_endpoints").select(["id", "url", "events", "created_at"]).where("reseller_id", "=", caller.reseller.id).where("deleted_at", "is", null).orderBy("created_at", "desc").execute();
  const data = [];
  for (const ep of eps) {
    const deliveries = await s.db
      .selectFrom("reseller_webhook_deliveries")
      .select(["id", "event_id", "event_type", "status", "attempts", "last_status", "last_error", "created_at", "delivered_at"])
      .where("endpoint_id", "=", ep.id)
      .orderBy("id", "desc")
      .limit(20)
      .execute();
    data.push({ ...view(ep), recent_deliveries: deliveries.map(({ event_type, ...d }) => ({ ...d, id: Number(d.id), type: event_type })) });
  }
  return { data };
}

export async function deleteWebhookEndpoint(s: Pick<Services, "db">, caller: ResellerCaller, endpointId: string, ip: string | null): Promise<{ id: string; deleted: true }> {
  const r = await s.db
    .updateTable("reseller_webhook_endpoints")
    .set({ deleted_at: new Date().toISOString() })
    .where("id", "=", endpointId)
    .where("reseller_id", "=", caller.reseller.id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new ResellerApiError("not_found", "no such webhook endpoint");
  await recordAudit(s.db, { accountId: caller.reseller.account_id, actorType: "reseller", actorId: caller.reseller.id, action: "reseller.webhook_endpoint_deleted", subjectType: "webhook_endpoint", subjectId: endpointId, details: { ...callerRef(caller) }, ip });
  return { id: endpointId, deleted: true };
}
