import { verifyExtensionRequest, extensionJson } from "../.server/auth/extension-request.ts";
import { getExtensionKeys } from "../.server/use-cases/get-extension-keys.ts";
import type { Route } from "./+types/api.buyer.orders.$orderId.keys";

/**
 * The checkout extension's read (thank-you and order status pages): GET with the extension's
 * session token as a Bearer header; OPTIONS is the CORS preflight. `?surface=customer-account`
 * for the order status page, `?reveal=1` after the buyer clicked "show keys"; the thank-you page
 * names the order's confirmation number in the `X-Keyrelay-Confirmation` header.
 */
export async function loader({ request, params, context }: Route.LoaderArgs) {
  const s = context.services;
  // React Router hands OPTIONS (the CORS preflight) to the loader.
  if (request.method === "OPTIONS") return verifyExtensionRequest(s, request, { surface: "checkout", ip: context.clientIp, preflight: true });
  const url = new URL(request.url);
  const surface = url.searchParams.get("surface") === "customer-account" ? "customer-account" : "checkout";
  const verified = await verifyExtensionRequest(s, request, { surface, ip: context.clientIp });
  if (verified instanceof Response) return verified;
  try {
    const result = await getExtensionKeys(s, {
      shop: verified.shop,
      orderId: params.orderId,
      surface,
      customer: verified.customer,
      confirmation: request.headers.get("x-keyrelay-confirmation") ?? undefined,
      reveal: url.searchParams.get("reveal") === "1" ? "all" : "none",
    });
    if (!result.found) return extensionJson(verified, { error: "order_not_found" }, 404);
    const { view } = result;
    return extensionJson(verified, {
      status: view.status,
      order: view.orderName,
      lines: view.lines.map((l) => ({ title: l.title, keys: l.keys.map((k) => ({ code: k.code, fields: k.fields })), hiddenKeys: l.hiddenKeys, pendingUnits: l.pendingUnits })),
    });
  } catch (e) {
    s.log.error({ err: e instanceof Error ? { name: e.name, message: e.message } : String(e), route: "/api/buyer/orders/:orderId/keys" }, "extension keys failed");
    return extensionJson(verified, { error: "unexpected" }, 500);
  }
}

/** Anything that is not a GET or a preflight. */
export async function action() {
  return new Response(null, { status: 405, headers: { Allow: "GET, OPTIONS", "Access-Control-Allow-Origin": "*" } });
}
