import { handleResellerApi, methodNotAllowed, parseOrRefuse, readJsonBody } from "../.server/http/reseller-api/respond.ts";
import { CreateWebhookEndpointBody } from "../.server/http/reseller-api/schemas.ts";
import { createWebhookEndpoint, listWebhookEndpoints } from "../.server/use-cases/manage-webhook-endpoints.ts";
import type { Route } from "./+types/api.v1.webhook-endpoints._index";

/** GET /api/v1/webhook-endpoints — scope webhooks:write; each endpoint with its recent deliveries. */
export async function loader({ request, context }: Route.LoaderArgs) {
  return handleResellerApi(context.services, request, context.clientIp, "webhooks:write", async (caller) => ({ body: await listWebhookEndpoints(context.services, caller) }));
}

/** POST /api/v1/webhook-endpoints — scope webhooks:write; answers the signing secret once. */
export async function action({ request, context }: Route.ActionArgs) {
  if (request.method !== "POST") return methodNotAllowed(request, "GET, POST");
  return handleResellerApi(context.services, request, context.clientIp, "webhooks:write", async (caller) => {
    const body = parseOrRefuse(CreateWebhookEndpointBody, await readJsonBody(request), "body");
    return { status: 201, body: await createWebhookEndpoint(context.services, caller, body, context.clientIp) };
  });
}
