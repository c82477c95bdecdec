import { ResellerApiError } from "../.server/domain/reseller-api-error.ts";
import { validIdempotencyKey } from "../.server/domain/idempotency.ts";
import { handleResellerApi, methodNotAllowed, parseOrRefuse, readJsonBody } from "../.server/http/reseller-api/respond.ts";
import { ListQuery, PlaceOrderBody } from "../.server/http/reseller-api/schemas.ts";
import { placeResellerOrder } from "../.server/use-cases/place-reseller-order.ts";
import { listOrders } from "../.server/use-cases/read-reseller-api.ts";
import type { Route } from "./+types/api.v1.orders._index";

/** GET /api/v1/orders?cursor=&limit= — scope orders:read; newest first. */
export async function loader({ request, context }: Route.LoaderArgs) {
  return handleResellerApi(context.services, request, context.clientIp, "orders:read", async (caller) => {
    const q = parseOrRefuse(ListQuery, Object.fromEntries(new URL(request.url).searchParams), "query");
    return { body: await listOrders(context.services, caller, q) };
  });
}

/** POST /api/v1/orders with an Idempotency-Key — scope orders:write. */
export async function action({ request, context }: Route.ActionArgs) {
  if (request.method !== "POST") return methodNotAllowed(request, "GET, POST");
  return handleResellerApi(context.services, request, context.clientIp, "orders:write", async (caller) => {
    const key = request.headers.get("idempotency-key");
    if (!validIdempotencyKey(key)) throw new ResellerApiError("idempotency_key_required", "Idempotency-Key: a header of 1–255 printable characters is required", { field: "Idempotency-Key" });
    const raw = await readJsonBody(request);
    const body = parseOrRefuse(PlaceOrderBody, raw, "body");
    const placed = await placeResellerOrder(context.services, caller, key, raw, body, context.clientIp);
    return { status: placed.status, body: placed.order, headers: { Location: `/api/v1/orders/${placed.order.id}`, ...(placed.replayed ? { "Idempotent-Replayed": "true" } : {}) } };
  });
}
