import { cancelHostOrder } from "../use-cases/cancel-host-order.ts";
import { checkHostRisk } from "../use-cases/check-host-risk.ts";
import { deliverOrder } from "../use-cases/deliver-order.ts";
import { writeRiskAssessment } from "../use-cases/write-risk-assessment.ts";
import { deliverResellerWebhook } from "../use-cases/deliver-reseller-webhook.ts";
import { fillBackorders } from "../use-cases/fill-backorders.ts";
import { processWebhookEvent, processWebhookEventBatch } from "../use-cases/process-webhook-event.ts";
import { reconcileStore } from "../use-cases/reconcile-store.ts";
import { sendLowStockAlert } from "../use-cases/send-low-stock-alert.ts";
import { sendOrderEmail } from "../use-cases/send-order-email.ts";
import { syncPoolStock } from "../use-cases/sync-stock.ts";
import type { Services } from "../ports.ts";

/** Binds each named queue to its use-case. Queues without a handler yet are parked as failed if used. */
export function registerJobHandlers(s: Services): void {
  s.jobs.register("process-event", (payload, ctx) => processWebhookEvent(s, payload, ctx));
  s.jobs.registerBatch("process-event", (items, ctx) => processWebhookEventBatch(s, items, ctx));
  s.jobs.register("deliver-order", async (payload, ctx) => void (await deliverOrder(s, payload, ctx)));
  s.jobs.register("reconcile-store", async (payload, ctx) => void (await reconcileStore(s, payload, ctx)));
  s.jobs.register("fill-backorders", async (payload) => void (await fillBackorders(s, payload)));
  s.jobs.register("low-stock-alert", (payload) => sendLowStockAlert(s, payload));
  s.jobs.register("send-email", (payload, ctx) => sendOrderEmail(s, payload, ctx));
  s.jobs.register("reseller-webhook", (payload) => deliverResellerWebhook(s, payload));
  s.jobs.register("sync-stock", async (payload, ctx) => void (await syncPoolStock(s, payload, ctx)));
  s.jobs.register("check-host-risk", (payload, ctx) => checkHostRisk(s, payload, ctx));
  s.jobs.register("write-risk-assessment", (payload) => writeRiskAssessment(s, payload));
  s.jobs.register("cancel-host-order", (payload) => cancelHostOrder(s, payload));
}
