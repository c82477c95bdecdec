import { resellerOpenApiDocument } from "../.server/http/reseller-api/openapi.ts";

/** GET /api/v1/openapi.json — the reseller API's OpenAPI 3.1 document (public: no token). */
export function loader() {
  return Response.json(resellerOpenApiDocument(), { headers: { "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" } });
}
