import { processWebhookEvent } from "../use-cases/process-webhook-event.ts";
import { sendLowStockAlert } from "../use-cases/send-low-stock-alert.ts";
import type { Services } from "./services.ts";

/** Binds each named queue to its use-case. Queues without a handler yet are parked as failed if used. */
export function registerJobHandlers(s: Services): void {
  s.jobs.register("process-event", (payload, ctx) => processWebhookEvent(s, payload, ctx));
  s.jobs.register("low-stock-alert", (payload) => sendLowStockAlert(s, payload));
}
