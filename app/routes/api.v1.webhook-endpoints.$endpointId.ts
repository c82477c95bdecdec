import { handleResellerApi, methodNotAllowed } from "../.server/http/reseller-api/respond.ts";
import { deleteWebhookEndpoint } from "../.server/use-cases/manage-webhook-endpoints.ts";
import type { Route } from "./+types/api.v1.webhook-endpoints.$endpointId";

/** DELETE /api/v1/webhook-endpoints/{id} — scope webhooks:write. */
export async function loader({ request }: Route.LoaderArgs) {
  return methodNotAllowed(request, "DELETE");
}

export async function action({ request, context, params }: Route.ActionArgs) {
  if (request.method !== "DELETE") return methodNotAllowed(request, "DELETE");
  return handleResellerApi(context.services, request, context.clientIp, "webhooks:write", async (caller) => ({ body: await deleteWebhookEndpoint(context.services, caller, params.endpointId, context.clientIp) }));
}
