import { boundary } from "@shopify/shopify-app-react-router/server";
import { useEffect } from "react";
import { isRouteErrorResponse, useNavigate } from "react-router";
import { useCspNonce } from "./csp-nonce.ts";

/**
 * App Bridge and Polaris web components for the embedded shell, as the library's `AppProvider`
 * (@shopify/shopify-app-react-router 3.0.0) renders them, plus this response's CSP nonce.
 * Under the admin's `script-src 'nonce-…' 'strict-dynamic'` a script tag without the nonce is
 * refused whatever its host, and the library's tags carry none; with the nonce App Bridge runs and
 * may load what it needs. A unit test keeps this markup equal to the library's.
 */
export const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
export const POLARIS_WEB_COMPONENTS_URL = "https://cdn.shopify.com/shopifycloud/polaris.js";

export function ShopifyAppBridge({ apiKey, children }: { apiKey: string; children: React.ReactNode }) {
  const nonce = useCspNonce();
  const navigate = useNavigate();
  // App Bridge's navigation (<s-link> in the admin's sidebar) asks the app to route client-side.
  useEffect(() => {
    const onNavigate = (event: Event) => {
      const href = (event.target as HTMLElement | null)?.getAttribute("href");
      if (href) void navigate(href);
    };
    document.addEventListener("shopify:navigate", onNavigate);
    return () => document.removeEventListener("shopify:navigate", onNavigate);
  }, [navigate]);
  return (
    <>
      <script src={APP_BRIDGE_URL} data-api-key={apiKey} nonce={nonce} suppressHydrationWarning />
      <script src={POLARIS_WEB_COMPONENTS_URL} nonce={nonce} suppressHydrationWarning />
      {children}
    </>
  );
}

/**
 * The library's App Bridge pages (session-token bounce, exit-iframe, missing shop/host), exactly as
 * `renderAppBridge` writes them: the App Bridge tag and, for exit-iframe, a `window.open` of a
 * JSON-quoted URL. Only a body of this shape gets the nonce; anything else is rendered as the
 * library's boundary renders it, without one, so nothing else can become a trusted script.
 */
const APP_BRIDGE_PAGE =
  /^\s*<script data-api-key="[A-Za-z0-9_-]*" src="https:\/\/cdn\.shopify\.com\/shopifycloud\/app-bridge\.js"><\/script>\s*(?:<script>window\.open\("[^"\\<>]*", "_(?:top|parent|self|blank)"\)<\/script>\s*)?$/;

export function isAppBridgePage(body: unknown): body is string {
  return typeof body === "string" && APP_BRIDGE_PAGE.test(body);
}

/** The embedded routes' error boundary: Shopify's auth answers (App Bridge pages, nonced) or the library's. */
export function ShopifyBoundary({ error }: { error: unknown }) {
  const nonce = useCspNonce();
  if (isRouteErrorResponse(error) && isAppBridgePage(error.data)) {
    // A nonce is base64 (no quote can end the attribute). In the browser there is none, and the
    // markup stays as the server wrote it: React neither patches nor re-runs hydrated scripts.
    const html = nonce ? error.data.replaceAll("<script", `<script nonce="${nonce}"`) : error.data;
    return <div suppressHydrationWarning dangerouslySetInnerHTML={{ __html: html }} />;
  }
  return boundary.error(error);
}
