import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { AppProvider } from "@shopify/shopify-app-react-router/react";
import { createElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { isRouteErrorResponse, StaticRouter, UNSAFE_ErrorResponseImpl as ErrorResponseImpl } from "react-router";
import { describe, expect, it } from "vitest";
import { CspNonceContext } from "./csp-nonce.ts";
import { isAppBridgePage, ShopifyAppBridge, ShopifyBoundary } from "./shopify-app-bridge.tsx";

type Router = typeof StaticRouter;
const render = (node: ReactNode, nonce?: string, Router: Router = StaticRouter) =>
  renderToStaticMarkup(createElement(CspNonceContext.Provider, { value: nonce }, createElement(Router, { location: "/" }, node)));

/**
 * The library is loaded by Node itself and sees Node's copy of react-router, not the one vitest
 * transforms for this file: its useNavigate needs a router from that copy.
 */
async function nativeStaticRouter(): Promise<Router> {
  const url = pathToFileURL(createRequire(import.meta.url).resolve("react-router")).href;
  return ((await import(/* @vite-ignore */ url)) as { StaticRouter: Router }).StaticRouter;
}

describe("ShopifyAppBridge", () => {
  it("renders exactly the library AppProvider's markup, plus the nonce on its scripts", async () => {
    const child = createElement("main", null, "x");
    const library = render(createElement(AppProvider, { apiKey: "api-key-1", children: child }), undefined, await nativeStaticRouter());
    const ours = render(createElement(ShopifyAppBridge, { apiKey: "api-key-1", children: child }), "bm9uY2U=");
    // Library changes (another script, another URL) must show up here, not as a refused script.
    expect(ours.replaceAll(' nonce="bm9uY2U="', "")).toBe(library);
    expect(ours.match(/<script /g)).toHaveLength(2);
    expect(ours.match(/<script [^>]*nonce="bm9uY2U="/g)).toHaveLength(2);
  });
});

describe("ShopifyBoundary", () => {
  const bounce = `
      <script data-api-key="api-key-1" src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>
      
    `;
  const exit = `
      <script data-api-key="api-key-1" src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>
      <script>window.open("https://ada.myshopify.com/admin/charges/1", "_top")</script>
    `;

  /** Renders the boundary for the error React Router hands it when a loader throws `response`. */
  async function boundaryFor(response: Response, nonce: string): Promise<string> {
    const error = new ErrorResponseImpl(response.status, response.statusText, await response.text());
    expect(isRouteErrorResponse(error)).toBe(true);
    return render(createElement(ShopifyBoundary, { error }), nonce);
  }

  it("recognises the library's App Bridge pages and nothing else", () => {
    expect(isAppBridgePage(bounce)).toBe(true);
    expect(isAppBridgePage(exit)).toBe(true);
    for (const other of [
      bounce + "<script>alert(1)</script>",
      `<script src="https://evil.example/x.js"></script>`,
      exit.replace("_top", "_top\")</script><script>alert(1)//"),
      exit.replace("charges/1", 'charges/1"+alert(1)+"'),
      "Handling response",
      { error: { message: "x" } },
    ]) {
      expect(isAppBridgePage(other)).toBe(false);
    }
  });

  it("nonces the App Bridge page's scripts, and only those", async () => {
    const html = await boundaryFor(new Response(exit, { headers: { "content-type": "text/html" } }), "bm9uY2U=");
    expect(html.match(/<script nonce="bm9uY2U="/g)).toHaveLength(2);
    const injected = await boundaryFor(new Response(bounce + "<script>alert(1)</script>"), "bm9uY2U=");
    expect(injected).not.toContain("nonce");
  });
});
