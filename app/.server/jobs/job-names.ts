/**
 * The named queues and what each payload carries. Payloads are ids and small parameters only:
 * never key plaintext, tokens or secrets (the rows live in the jobs table and in Redis).
 */
export interface JobPayloads {
  "process-event": { eventId: number };
  "deliver-order": { orderId: string };
  "send-email": { orderId: string; kind: "delivery" | "backorder-filled" | "resend" };
  /** mode "verify" reads the host back first (drift repair, sync now); retryBroken includes broken mappings. */
  "sync-stock": { accountId: string; poolId: string; mode?: "changes" | "verify"; retryBroken?: boolean };
  "reconcile-store": { storeId: string };
  "fill-backorders": { accountId: string; poolId: string };
  /** reason "cover": the days-of-cover alert (issue 15); otherwise the count threshold. */
  /** One webhook delivery to a reseller's endpoint (the row holds the payload; never a key). */
  "reseller-webhook": { deliveryId: number };
  "low-stock-alert": { accountId: string; poolId: string; reason?: "threshold" | "cover" };
  /**
   * Re-reads the host's risk of an order held for it (attempt: reads so far + 1, for the backoff);
   * revised: the host revised it, so an order held for review is decided again with it too.
   */
  "check-host-risk": { orderId: string; attempt: number; revised?: boolean };
  /** Writes keyrelay's verdict to the host order (Shopify orderRiskAssessmentCreate). */
  "write-risk-assessment": { orderId: string };
  /** Cancels (and refunds) a denied order on the host, as the reviewer asked. */
  "cancel-host-order": { orderId: string; refund: boolean; restock: boolean };
}

export type JobName = keyof JobPayloads;

export const JOB_NAMES: JobName[] = [
  "process-event",
  "deliver-order",
  "send-email",
  "sync-stock",
  "reconcile-store",
  "fill-backorders",
  "low-stock-alert",
  "reseller-webhook",
  "check-host-risk",
  "write-risk-assessment",
  "cancel-host-order",
];
