import { boundary } from "@shopify/shopify-app-react-router/server";
import { isRouteErrorResponse, Outlet, useRouteError } from "react-router";
import { requirePageAdmin } from "../.server/auth/admin-context.ts";
import { AppNav } from "../components/app-nav.tsx";
import { ShopifyAppBridge, ShopifyBoundary } from "../components/shopify-app-bridge.tsx";
import { errorResponse } from "../.server/http/responses.ts";
import { KeyrelayError } from "../.server/domain/errors.ts";
import type { Route } from "./+types/app";

/** Inside the Shopify admin: App Bridge (from Shopify's CDN, with the response's CSP nonce) around the same Polaris pages. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const s = context.services;
  let admin;
  try {
    admin = await requirePageAdmin(s, request, "app", "dashboard.view");
  } catch (e) {
    if (e instanceof KeyrelayError) throw errorResponse(e);
    throw e;
  }
  // The nav shows what the member's role may open (the server checks every page anyway).
  return { apiKey: s.config.shopify!.apiKey, team: admin.can("team.manage"), settings: admin.can("settings.manage"), risk: admin.can("orders.view"), reports: admin.can("reports.view"), audit: admin.can("audit.view"), resellers: admin.can("resellers.manage") };
}

export default function EmbeddedApp({ loaderData }: Route.ComponentProps) {
  return (
    <ShopifyAppBridge apiKey={loaderData.apiKey}>
      <AppNav team={loaderData.team} settings={loaderData.settings} risk={loaderData.risk} reports={loaderData.reports} audit={loaderData.audit} resellers={loaderData.resellers} />
      <Outlet />
    </ShopifyAppBridge>
  );
}

// Shopify's boundary turns its auth redirects into App Bridge navigations and sets frame headers.
export function ErrorBoundary() {
  const error = useRouteError();
  // Our own clear errors (e.g. Shopify not configured here) come as JSON {error:{message}}, already
  // in the reader's language; Shopify's auth responses go to the library's boundary.
  const message = isRouteErrorResponse(error) ? (error.data as { error?: { message?: string } } | undefined)?.error?.message : undefined;
  if (message) return <p style={{ fontFamily: "system-ui, sans-serif", padding: 24 }}>{message}</p>;
  return <ShopifyBoundary error={error} />;
}

export const headers: Route.HeadersFunction = (args) => boundary.headers(args);
