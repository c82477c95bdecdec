import { boundary } from "@shopify/shopify-app-react-router/server";
import { useRouteError } from "react-router";
import { shopifyFor } from "../.server/auth/shopify-app.ts";
import { ShopifyBoundary } from "../components/shopify-app-bridge.tsx";
import { KeyrelayError } from "../.server/domain/errors.ts";
import { errorResponse } from "../.server/http/responses.ts";
import type { Route } from "./+types/auth.$";

/** Shopify's install and OAuth paths (/auth/...): the library answers them. */
export async function loader({ request, context }: Route.LoaderArgs) {
  try {
    await shopifyFor(context.services).authenticate.admin(request);
  } catch (e) {
    if (e instanceof KeyrelayError) throw errorResponse(e);
    throw e;
  }
  return null;
}

export function ErrorBoundary() {
  // Shopify's App Bridge pages (session-token bounce, exit-iframe), with the response's nonce.
  return <ShopifyBoundary error={useRouteError()} />;
}

export const headers: Route.HeadersFunction = (args) => boundary.headers(args);
