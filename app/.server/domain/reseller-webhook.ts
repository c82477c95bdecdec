/**
 * Webhooks to resellers: the events, the retry schedule (exponential, for three days, then
 * failed) and the endpoint URLs accepted. The signature is in crypto/webhook-signature.ts.
 */
export const WEBHOOK_EVENTS = ["order.fulfilled", "order.backorder_filled", "key.revoked", "balance.low", "order.denied"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export function isWebhookEvent(v: string): v is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(v);
}

export const SIGNATURE_HEADER = "Keyrelay-Signature";
/** How long deliveries are retried before they are marked failed. */
export const RETRY_FOR_MS = 3 * 24 * 3_600_000;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 6 * 3_600_000;

/** Wait before attempt n+1 after n failed attempts: 30 s, 1 min, 2 min, … at most 6 h. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1));
}

/** Whether a delivery created at `createdAt` may still be retried at `now`. */
export function withinRetryWindow(createdAt: string, now: Date): boolean {
  return now.getTime() - Date.parse(createdAt) < RETRY_FOR_MS;
}

/** An endpoint URL: https, or http only when the installation allows it (tests, a private network). */
export function checkEndpointUrl(raw: string, allowHttp: boolean): string | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if (u.protocol !== "https:" && !(allowHttp && u.protocol === "http:")) return null;
  if (u.username || u.password || raw.length > 2000) return null;
  return u.toString();
}
