import { randomBytes } from "node:crypto";

/**
 * The Content-Security-Policy of the admin's HTML documents (standalone /admin and /login,
 * embedded /app and Shopify's /auth pages). Scripts run only with this response's nonce: React
 * Router's inline scripts and module preloads, React's streaming scripts and App Bridge carry it
 * (entry.server.tsx passes it to all of them). The buyer's key page is not a document of this kind
 * and keeps its own stricter policy (key-page-response.ts).
 */

/** Shopify's admin, which frames the embedded app (besides the shop's own legacy admin). */
export const SHOPIFY_ADMIN_ORIGIN = "https://admin.shopify.com";

/** 16 random bytes, base64: a new one for every document response, never reused. */
export function createCspNonce(): string {
  return randomBytes(16).toString("base64");
}

export interface AdminCspOptions {
  nonce: string;
  /**
   * Where the document may be framed: "none" for the standalone admin; for the embedded app the
   * shop's admin domain (`<shop>.myshopify.com`, or null when the request names no valid shop).
   */
  frame: "none" | { shop: string | null };
  /**
   * Vite's dev server (`react-router dev`) injects styles and its HMR client without the nonce:
   * there the script and style rules are left out; framing, plugins, base and form targets stay.
   */
  dev?: boolean;
}

export function adminCsp({ nonce, frame, dev = false }: AdminCspOptions): string {
  const directives: string[] = [];
  if (!dev) {
    // 'strict-dynamic': what a nonced script loads (React Router's route chunks by import(), App
    // Bridge's own scripts) runs too, and host lists are ignored — so nothing hosted elsewhere on
    // cdn.shopify.com (merchants' uploads live there too) can be pulled in by an injected tag.
    // 'self' is only the fallback for browsers older than CSP 3, which ignore 'strict-dynamic'
    // (CSP 3 browsers ignore 'self' beside it): Chromium runs the admin with the nonce alone, module
    // preloads included, because React Router puts the nonce on its modulepreload links too
    // (tried in test/e2e/admin-csp.test.ts without 'self': no violation).
    directives.push(`script-src 'nonce-${nonce}' 'strict-dynamic' 'self'`);
    // Polaris React renders inline style attributes (layout tokens as CSS variables on every Box,
    // Stack, Grid…, and style set by setAttribute when it measures scrollbars); they cannot be
    // nonced, so style attributes are allowed inline. Style elements and stylesheets are only this
    // origin's files (Polaris's CSS is a built asset): no inline <style>. `style-src` is the
    // fallback for browsers without the -elem/-attr split, which need inline for the attributes.
    directives.push("style-src 'self' 'unsafe-inline'", "style-src-elem 'self'", "style-src-attr 'unsafe-inline'");
  }
  directives.push("object-src 'none'", "base-uri 'none'", "form-action 'self'");
  if (frame === "none") directives.push("frame-ancestors 'none'");
  else directives.push(`frame-ancestors ${[frame.shop ? `https://${frame.shop}` : null, SHOPIFY_ADMIN_ORIGIN].filter(Boolean).join(" ")}`);
  return directives.join("; ");
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * The shop named by an embedded request's `?shop=` (Shopify always sends `<name>.myshopify.com`),
 * or null when it is missing or anything else — never copied into a header unchecked.
 */
export function embeddedShop(url: URL): string | null {
  const shop = url.searchParams.get("shop")?.toLowerCase() ?? "";
  return SHOP_DOMAIN.test(shop) ? shop : null;
}

/**
 * The Shopify library's App Bridge pages add a Link header preloading App Bridge and Polaris from
 * the CDN. A preload from a header cannot carry the nonce, so under the policy above the browser
 * refuses it (and reports a violation); the nonced <script> tags load them anyway. Keeps the rest.
 */
export function withoutScriptPreloads(link: string): string {
  return link
    .split(",")
    .map((part) => part.trim())
    .filter((part) => !(/;\s*rel="?preload"?/i.test(part) && /;\s*as="?script"?/i.test(part)))
    .join(", ");
}
