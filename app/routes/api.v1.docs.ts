import { docsPageResponse } from "../.server/http/reseller-api/docs-page.ts";

/** GET /api/v1/docs — the reseller API's reference page (public, like openapi.json; served from this app, no CDN). */
export function loader() {
  return docsPageResponse();
}
