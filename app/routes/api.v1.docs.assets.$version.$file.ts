import { docsAssetResponse } from "../.server/http/reseller-api/docs-page.ts";
import type { Route } from "./+types/api.v1.docs.assets.$version.$file";

/** GET /api/v1/docs/assets/<version>/<file> — Swagger UI's bundle and stylesheet from node_modules, and the start-up script; cached for good. */
export function loader({ params }: Route.LoaderArgs) {
  return docsAssetResponse(params.version, params.file);
}
