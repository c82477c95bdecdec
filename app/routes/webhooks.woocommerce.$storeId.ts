import { readRawBody, WEBHOOK_BODY_LIMIT } from "../.server/http/read-body.ts";
import { errorResponse } from "../.server/http/responses.ts";
import { receiveWooCommerceWebhook } from "../.server/use-cases/receive-woocommerce-webhook.ts";
import type { Route } from "./+types/webhooks.woocommerce.$storeId";

/** One URL per connected WooCommerce store; its secret verifies the signature. */
export async function action({ request, context, params }: Route.ActionArgs) {
  const s = context.services;
  try {
    const rawBody = await readRawBody(request, WEBHOOK_BODY_LIMIT);
    const outcome = await receiveWooCommerceWebhook(s, params.storeId, { headers: request.headers, rawBody });
    s.log.info({ storeId: params.storeId, outcome: outcome.status }, "woocommerce webhook");
    if (outcome.status === "rejected") {
      const status = outcome.reason === "malformed" ? 400 : 401;
      return Response.json({ error: { code: outcome.reason === "malformed" ? "invalid_input" : "webhook_unverified" } }, { status });
    }
    return new Response(null, { status: 200 });
  } catch (e) {
    const r = errorResponse(e);
    return r.status === 400 && (e as { code?: string }).code === "store_not_found" ? new Response(r.body, { status: 404, headers: r.headers }) : r;
  }
}

export function loader() {
  return new Response(null, { status: 405, headers: { Allow: "POST" } });
}
