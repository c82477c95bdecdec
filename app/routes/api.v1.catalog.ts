import { handleResellerApi, methodNotAllowed, parseOrRefuse } from "../.server/http/reseller-api/respond.ts";
import { CatalogQuery } from "../.server/http/reseller-api/schemas.ts";
import { getCatalog } from "../.server/use-cases/read-reseller-api.ts";
import type { Route } from "./+types/api.v1.catalog";

/** GET /api/v1/catalog[?updated_since=] — scope catalog:read. */
export async function loader({ request, context }: Route.LoaderArgs) {
  return handleResellerApi(context.services, request, context.clientIp, "catalog:read", async (caller) => {
    const q = parseOrRefuse(CatalogQuery, Object.fromEntries(new URL(request.url).searchParams), "query");
    return { body: await getCatalog(context.services, caller, q.updated_since ? new Date(q.updated_since) : undefined) };
  });
}

export async function action({ request }: Route.ActionArgs) {
  return methodNotAllowed(request, "GET");
}
