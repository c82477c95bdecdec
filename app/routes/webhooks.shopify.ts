import { shopifyVerifiedEvent } from "../../connectors/shopify/webhook-identity.ts";
import { shopifyFor } from "../.server/auth/shopify-app.ts";
import { InvalidInputError } from "../.server/domain/errors.ts";
import { readRawBody, WEBHOOK_BODY_LIMIT } from "../.server/http/read-body.ts";
import { errorResponse } from "../.server/http/responses.ts";
import { recordWebhookEvent } from "../.server/use-cases/record-webhook-event.ts";
import type { Route } from "./+types/webhooks.shopify";

/**
 * Every Shopify topic (shopify.app.toml) arrives here: verify the HMAC, record, enqueue, answer.
 * Nothing slow happens before the 200, so Shopify's 5-second limit holds when the database is busy.
 */
export async function action({ request, context }: Route.ActionArgs) {
  const s = context.services;
  try {
    const rawBody = await readRawBody(request, WEBHOOK_BODY_LIMIT);
    const forLibrary = new Request(request.url, { method: "POST", headers: request.headers, body: new Uint8Array(rawBody) });
    // authenticate.webhook checks X-Shopify-Hmac-Sha256 against the app secret; it throws a 401 Response on failure.
    const { shop, topic, payload } = await shopifyFor(s).authenticate.webhook(forLibrary);
    if (payload === null || typeof payload !== "object") {
      throw new InvalidInputError("invalid_input", "payload is not a JSON object", { params: { detail: "payload" } });
    }
    const outcome = await recordWebhookEvent(s, shopifyVerifiedEvent({ shop, topic: String(topic), headers: request.headers, rawBody, payload }));
    s.log.info({ shop, topic, outcome: outcome.status }, "shopify webhook");
    return new Response(null, { status: 200 });
  } catch (e) {
    if (e instanceof Response) {
      if (e.status === 401) s.log.warn({ path: "/webhooks/shopify" }, "rejected shopify webhook: bad HMAC");
      return e;
    }
    if (e instanceof SyntaxError) {
      return errorResponse(new InvalidInputError("invalid_input", "body is not JSON", { params: { detail: "JSON" } }));
    }
    return errorResponse(e);
  }
}

export function loader() {
  return new Response(null, { status: 405, headers: { Allow: "POST" } });
}
