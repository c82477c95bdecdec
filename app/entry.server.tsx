import { PassThrough } from "node:stream";

import type { AppLoadContext, EntryContext, HandleErrorFunction } from "react-router";
import { createReadableStreamFromReadable } from "@react-router/node";
import { ServerRouter } from "react-router";
import { isbot } from "isbot";
import type { RenderToPipeableStreamOptions } from "react-dom/server";
import { renderToPipeableStream } from "react-dom/server";
import { adminCsp, createCspNonce, embeddedShop, withoutScriptPreloads } from "./.server/http/admin-csp.ts";
import { loggablePath } from "./.server/http/loggable-path.ts";
import { CspNonceContext } from "./components/csp-nonce.ts";

export const streamTimeout = 5_000;

/** Server errors go to the app's logger (which redacts secret-looking fields), not to stdout raw. */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  const log = (context as AppLoadContext | undefined)?.services?.log;
  // Not the raw path: /invite/<token> and /k/<token> are capabilities (loggable-path.ts).
  const path = loggablePath(new URL(request.url).pathname);
  if (log) log.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error), path }, "request failed");
  else console.error(error);
};

/** /app (the embedded admin) and /auth (Shopify's install and session-token pages) live inside Shopify's admin. */
function isEmbeddedPath(path: string): boolean {
  return path === "/app" || path.startsWith("/app/") || path === "/auth" || path.startsWith("/auth/");
}

/**
 * Every HTML document gets one Content-Security-Policy (admin-csp.ts) with this response's nonce.
 * The standalone admin may not be framed at all (clickjacking); the embedded app only by Shopify's
 * admin and the shop of the request — the policy replaces the frame-ancestors-only header that
 * Shopify's boundary adds to its App Bridge pages, so there is one policy, not two.
 */
function addSecurityHeaders(request: Request, headers: Headers, nonce: string) {
  headers.set("X-Content-Type-Options", "nosniff");
  // A route that asked for less (an invitation page: no-referrer, so its token never leaves in a
  // Referer, not even to the app's own assets) keeps its own policy.
  if (!headers.has("Referrer-Policy")) headers.set("Referrer-Policy", "same-origin");
  const url = new URL(request.url);
  const dev = import.meta.env.DEV;
  if (isEmbeddedPath(url.pathname)) {
    // The shop as Shopify's library takes it (the embedded document only renders once the
    // request's session token has been verified; see requireShopifyAdmin).
    headers.set("Content-Security-Policy", adminCsp({ nonce, frame: { shop: embeddedShop(url) }, dev }));
    const link = headers.get("Link");
    if (link && !dev) {
      const kept = withoutScriptPreloads(link);
      if (kept) headers.set("Link", kept);
      else headers.delete("Link");
    }
  } else {
    headers.set("Content-Security-Policy", adminCsp({ nonce, frame: "none", dev }));
    headers.set("X-Frame-Options", "DENY");
  }
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  routerContext: EntryContext,
  loadContext: AppLoadContext,
  // If you have middleware enabled:
  // loadContext: RouterContextProvider
) {
  const nonce = createCspNonce();
  addSecurityHeaders(request, responseHeaders, nonce);
  // https://httpwg.org/specs/rfc9110.html#HEAD
  if (request.method.toUpperCase() === "HEAD") {
    return new Response(null, {
      status: responseStatusCode,
      headers: responseHeaders,
    });
  }

  return new Promise((resolve, reject) => {
    let shellRendered = false;
    let userAgent = request.headers.get("user-agent");

    // Ensure requests from bots and SPA Mode renders wait for all content to load before responding
    // https://react.dev/reference/react-dom/server/renderToPipeableStream#waiting-for-all-content-to-load-for-crawlers-and-static-generation
    let readyOption: keyof RenderToPipeableStreamOptions =
      (userAgent && isbot(userAgent)) || routerContext.isSpaMode
        ? "onAllReady"
        : "onShellReady";

    // Abort the rendering stream after the `streamTimeout` so it has time to
    // flush down the rejected boundaries
    let timeoutId: ReturnType<typeof setTimeout> | undefined = setTimeout(
      () => abort(),
      streamTimeout + 1000,
    );

    const { pipe, abort } = renderToPipeableStream(
      <CspNonceContext.Provider value={nonce}>
        <ServerRouter context={routerContext} url={request.url} nonce={nonce} />
      </CspNonceContext.Provider>,
      {
        // React's own inline scripts (streamed Suspense boundaries) carry the nonce too.
        nonce,
        [readyOption]() {
          shellRendered = true;
          const body = new PassThrough({
            final(callback) {
              // Clear the timeout to prevent retaining the closure and memory leak
              clearTimeout(timeoutId);
              timeoutId = undefined;
              callback();
            },
          });
          const stream = createReadableStreamFromReadable(body);

          responseHeaders.set("Content-Type", "text/html");

          pipe(body);

          resolve(
            new Response(stream, {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Log streaming rendering errors from inside the shell.  Don't log
          // errors encountered during initial shell rendering since they'll
          // reject and get logged in handleDocumentRequest.
          if (shellRendered) {
            console.error(error);
          }
        },
      },
    );
  });
}
