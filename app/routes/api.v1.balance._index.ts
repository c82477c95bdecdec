import { handleResellerApi, methodNotAllowed } from "../.server/http/reseller-api/respond.ts";
import { getBalance } from "../.server/use-cases/read-reseller-api.ts";
import type { Route } from "./+types/api.v1.balance._index";

/** GET /api/v1/balance — scope balance:read. */
export async function loader({ request, context }: Route.LoaderArgs) {
  return handleResellerApi(context.services, request, context.clientIp, "balance:read", async (caller) => ({ body: await getBalance(context.services, caller) }));
}

export async function action({ request }: Route.ActionArgs) {
  return methodNotAllowed(request, "GET");
}
