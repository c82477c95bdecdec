import { readRawBody, WEBHOOK_BODY_LIMIT } from "../.server/http/read-body.ts";
import { errorResponse } from "../.server/http/responses.ts";
import { answerShopifyWebhook } from "../.server/http/webhook-answers.ts";
import type { Route } from "./+types/webhooks.shopify";

/**
 * Every Shopify topic (shopify.app.toml) arrives here: verify the HMAC, record, enqueue, answer.
 * In production `npm start` answers this path before React Router (runtime/webhook-fast-path.ts);
 * this route serves the same answer under `react-router dev`.
 */
export async function action({ request, context }: Route.ActionArgs) {
  try {
    const rawBody = await readRawBody(request, WEBHOOK_BODY_LIMIT);
    return await answerShopifyWebhook(context.services, { headers: request.headers, rawBody });
  } catch (e) {
    return errorResponse(e);
  }
}

export function loader() {
  return new Response(null, { status: 405, headers: { Allow: "POST" } });
}
