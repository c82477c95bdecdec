import { handleResellerApi, methodNotAllowed, parseOrRefuse } from "../.server/http/reseller-api/respond.ts";
import { ListQuery } from "../.server/http/reseller-api/schemas.ts";
import { listBalanceEntries } from "../.server/use-cases/read-reseller-api.ts";
import type { Route } from "./+types/api.v1.balance.entries";

/** GET /api/v1/balance/entries?cursor=&limit= — scope balance:read; newest first. */
export async function loader({ request, context }: Route.LoaderArgs) {
  return handleResellerApi(context.services, request, context.clientIp, "balance:read", async (caller) => {
    const q = parseOrRefuse(ListQuery, Object.fromEntries(new URL(request.url).searchParams), "query");
    return { body: await listBalanceEntries(context.services, caller, q) };
  });
}

export async function action({ request }: Route.ActionArgs) {
  return methodNotAllowed(request, "GET");
}
