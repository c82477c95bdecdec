import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * The reseller API's reference page (GET /api/v1/docs): Swagger UI (swagger-ui-dist), served by
 * the app itself from node_modules — never a CDN — rendering GET /api/v1/openapi.json. It is a
 * plain HTML answer with its own Content-Security-Policy, stricter than the admin's: nothing but
 * this origin may be loaded or fetched (`default-src 'none'`, `connect-src 'self'`), and no inline
 * script at all (the start-up call is a file of its own). Swagger UI's online validator badge is
 * switched off (`validatorUrl: null`): it would send the document's URL elsewhere. Its React
 * components set style attributes, so inline styles are allowed on this page only; the page holds
 * no secret (a token typed into "Authorize" stays in the page's memory).
 */

const require = createRequire(import.meta.url);

/** The package's version is in every asset's URL: cached for a year, never stale after an upgrade. */
export const SWAGGER_UI_VERSION: string = (require("swagger-ui-dist/package.json") as { version: string }).version;
export const DOCS_ASSET_BASE = `/api/v1/docs/assets/${SWAGGER_UI_VERSION}`;

const INIT_SCRIPT = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
`;

/** The files the page loads: two from the package, the start-up call from here. */
const ASSETS: Record<string, { type: string; body: () => Buffer }> = {
  "swagger-ui-bundle.js": { type: "text/javascript; charset=utf-8", body: () => readFileSync(require.resolve("swagger-ui-dist/swagger-ui-bundle.js")) },
  "swagger-ui.css": { type: "text/css; charset=utf-8", body: () => readFileSync(require.resolve("swagger-ui-dist/swagger-ui.css")) },
  "init.js": { type: "text/javascript; charset=utf-8", body: () => Buffer.from(INIT_SCRIPT) },
};
const loaded = new Map<string, Buffer>();

export const DOCS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = { "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer" };

export function docsPageResponse(): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>keyrelay reseller API reference</title>
<link rel="stylesheet" href="${DOCS_ASSET_BASE}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSET_BASE}/swagger-ui-bundle.js"></script>
<script src="${DOCS_ASSET_BASE}/init.js"></script>
</body>
</html>
`;
  return new Response(html, {
    headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": DOCS_PAGE_CSP, "Cache-Control": "public, max-age=300", ...SECURITY_HEADERS },
  });
}

/** An asset, only under the current version (another version's URL is a 404: its content is immutable). */
export function docsAssetResponse(version: string | undefined, file: string | undefined): Response {
  const asset = file !== undefined && Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
  if (version !== SWAGGER_UI_VERSION || !asset) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", ...SECURITY_HEADERS } });
  let body = loaded.get(file!);
  if (!body) loaded.set(file!, (body = asset.body()));
  return new Response(new Uint8Array(body), { headers: { "Content-Type": asset.type, "Cache-Control": "public, max-age=31536000, immutable", ...SECURITY_HEADERS } });
}
