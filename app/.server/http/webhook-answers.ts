import type { RawWebhookRequest } from "../../../connectors/host-connector.ts";
import { verifyShopifyWebhook } from "../../../connectors/shopify/webhook-signature.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { recordWebhookEvent } from "../use-cases/record-webhook-event.ts";
import { receiveWooCommerceWebhook } from "../use-cases/receive-woocommerce-webhook.ts";
import { errorResponse } from "./responses.ts";

/**
 * What a webhook delivery is answered, whichever server took it (the production fast path in
 * runtime/webhook-fast-path.ts, or the React Router routes under `react-router dev`): verify,
 * record, 200 — nothing slow before the answer, so the hosts' time limits hold under load.
 */
export async function answerShopifyWebhook(s: Services, req: RawWebhookRequest): Promise<Response> {
  try {
    const secret = s.config.shopify?.apiSecret;
    if (!secret) throw new InvalidInputError("shopify_not_configured", "Shopify is not configured on this server");
    const check = verifyShopifyWebhook(req, secret);
    if (check.kind === "rejected") {
      s.metrics.webhookRejected("shopify", check.reason);
      if (check.reason === "bad_signature") {
        s.log.warn({ path: "/webhooks/shopify" }, "rejected shopify webhook: bad HMAC");
        return new Response(null, { status: 401 });
      }
      return errorResponse(new InvalidInputError("invalid_input", `not a Shopify webhook delivery: ${check.detail}`, { params: { detail: check.detail } }));
    }
    const outcome = await recordWebhookEvent(s, check.event);
    s.metrics.webhookReceived("shopify", outcome.status);
    s.log.info({ shop: check.event.source, topic: check.event.topic, outcome: outcome.status }, "shopify webhook");
    return new Response(null, { status: 200 });
  } catch (e) {
    const r = errorResponse(e);
    s.metrics.webhookRejected("shopify", rejectionReason(e, r.status));
    return r;
  }
}

/** One URL per connected WooCommerce store; its secret verifies the signature. */
export async function answerWooCommerceWebhook(s: Services, storeId: string, req: RawWebhookRequest): Promise<Response> {
  try {
    const outcome = await receiveWooCommerceWebhook(s, storeId, req);
    s.log.info({ storeId, outcome: outcome.status }, "woocommerce webhook");
    if (outcome.status === "rejected") {
      s.metrics.webhookRejected("woocommerce", outcome.reason);
      const status = outcome.reason === "malformed" ? 400 : 401;
      return Response.json({ error: { code: outcome.reason === "malformed" ? "invalid_input" : "webhook_unverified" } }, { status });
    }
    s.metrics.webhookReceived("woocommerce", outcome.status);
    return new Response(null, { status: 200 });
  } catch (e) {
    const r = errorResponse(e);
    s.metrics.webhookRejected("woocommerce", rejectionReason(e, r.status));
    return r.status === 400 && (e as { code?: string }).code === "store_not_found" ? new Response(r.body, { status: 404, headers: r.headers }) : r;
  }
}

/**
 * A bounded label for a delivery refused with an error: the error's code (a fixed identifier in
 * our code, never the message) for our own errors, the status class otherwise.
 */
export function rejectionReason(e: unknown, status: number): string {
  const code = (e as { code?: unknown })?.code;
  if (e instanceof KeyrelayError && typeof code === "string" && /^[a-z0-9_]{1,40}$/.test(code)) return code;
  return status >= 500 ? "server_error" : "invalid_input";
}
