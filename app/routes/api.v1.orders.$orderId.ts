import { handleResellerApi, methodNotAllowed } from "../.server/http/reseller-api/respond.ts";
import { getResellerOrder } from "../.server/use-cases/read-reseller-api.ts";
import type { Route } from "./+types/api.v1.orders.$orderId";

/** GET /api/v1/orders/{id} — scope orders:read; the order with its keys (audited). */
export async function loader({ request, params, context }: Route.LoaderArgs) {
  return handleResellerApi(context.services, request, context.clientIp, "orders:read", async (caller) => ({
    body: await getResellerOrder(context.services, caller, params.orderId, context.clientIp),
  }));
}

export async function action({ request }: Route.ActionArgs) {
  return methodNotAllowed(request, "GET");
}
