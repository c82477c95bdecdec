import { IgnoredError, PermanentError, RetryableError } from "../domain/errors.ts";
import { signPayload } from "../crypto/webhook-signature.ts";
import { retryDelayMs, SIGNATURE_HEADER, withinRetryWindow } from "../domain/reseller-webhook.ts";
import type { Services } from "../ports.ts";
import { openEndpointSecret } from "./manage-webhook-endpoints.ts";

/**
 * The `reseller-webhook` job: POST the event to the endpoint, signed, with a timeout. A 2xx is
 * delivered; anything else (or no answer) is retried with exponential backoff for three days,
 * then the delivery is marked failed. Each attempt is recorded on the delivery row (its log).
 */
export async function deliverResellerWebhook(s: Pick<Services, "db" | "cipher" | "config" | "log">, payload: { deliveryId: number }, fetchImpl: typeof fetch = fetch): Promise<void> {
  const d = await s.db
    .selectFrom("reseller_webhook_deliveries as d")
    .innerJoin("reseller_webhook_endpoints as e", "e.id", "d.endpoint_id")
    .select(["d.id", "d.payload", "d.status", "d.attempts", "d.created_at", "e.id as endpoint_id", "e.url", "e.secret_ciphertext", "e.secret_key_id", "e.deleted_at"])
    .where("d.id", "=", payload.deliveryId)
    .executeTakeFirst();
  if (!d || d.status !== "pending") throw new IgnoredError("webhook_delivery_done", "delivered, failed or gone already");
  const now = new Date();
  if (d.deleted_at) {
    await s.db.updateTable("reseller_webhook_deliveries").set({ status: "failed", last_error: "endpoint_deleted" }).where("id", "=", d.id).execute();
    throw new IgnoredError("webhook_endpoint_deleted", "the endpoint was deleted");
  }
  const secret = openEndpointSecret(s.cipher, { id: d.endpoint_id, secret_ciphertext: d.secret_ciphertext, secret_key_id: d.secret_key_id });
  const t = Math.floor(now.getTime() / 1000);
  let status: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetchImpl(d.url, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "User-Agent": "keyrelay-webhooks/1", [SIGNATURE_HEADER]: signPayload(secret, d.payload, t) },
      body: d.payload,
      signal: AbortSignal.timeout(s.config.hosts.requestTimeoutMs),
    });
    status = res.status;
    await res.body?.cancel().catch(() => {});
    if (status < 200 || status >= 300) error = `http_${status}`;
  } catch (e) {
    error = (e as Error).name === "TimeoutError" ? "timeout" : "unreachable";
  }
  const attempts = d.attempts + 1;
  const base = { attempts, last_status: status, last_error: error, last_attempt_at: now.toISOString() };
  if (!error) {
    await s.db.updateTable("reseller_webhook_deliveries").set({ ...base, status: "delivered", delivered_at: now.toISOString() }).where("id", "=", d.id).execute();
    return;
  }
  if (!withinRetryWindow(d.created_at, new Date(now.getTime() + retryDelayMs(attempts)))) {
    await s.db.updateTable("reseller_webhook_deliveries").set({ ...base, status: "failed" }).where("id", "=", d.id).execute();
    throw new PermanentError("webhook_gave_up", `no 2xx from the endpoint for three days (${error})`);
  }
  await s.db.updateTable("reseller_webhook_deliveries").set(base).where("id", "=", d.id).execute();
  throw new RetryableError("webhook_failed", `endpoint answered ${error}`, { retryAfterMs: retryDelayMs(attempts) });
}
