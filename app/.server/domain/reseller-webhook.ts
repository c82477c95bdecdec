import crypto from "node:crypto";

/**
 * Webhooks to resellers: the events, the signature (as Stripe signs: `Keyrelay-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, so a receiver can refuse replays), and the
 * retry schedule (exponential, for three days, then failed).
 */
export const WEBHOOK_EVENTS = ["order.fulfilled", "order.backorder_filled", "key.revoked", "balance.low"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export function isWebhookEvent(v: string): v is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(v);
}

export const SIGNATURE_HEADER = "Keyrelay-Signature";
/** How long deliveries are retried before they are marked failed. */
export const RETRY_FOR_MS = 3 * 24 * 3_600_000;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 6 * 3_600_000;

export function signPayload(secret: string, body: string, unixSeconds: number): string {
  const mac = crypto.createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver checks: a v1 signature of this body with this secret, made within `toleranceS`. */
export function verifySignature(header: string | null, secret: string, body: string, nowSeconds: number, toleranceS = 300): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(nowSeconds - t) > toleranceS || !parts.v1) return false;
  const expected = Buffer.from(signPayload(secret, body, t).split("v1=")[1], "hex");
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

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

export function newEndpointSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64url")}`;
}
