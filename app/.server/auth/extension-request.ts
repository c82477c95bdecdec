import type { Services } from "../ports.ts";
import { clientNetwork } from "../domain/client-network.ts";
import { shopifyFor } from "./shopify-app.ts";

/**
 * Who is asking, for the checkout extension's endpoint: a request is let through only with a
 * session token Shopify signed for this app (HS256 with the app secret, not expired, `aud` our API
 * key — the library skips the audience check for extension tokens, so it is checked here), and the
 * shop is read from the token's `dest`, never from the request. Cookies play no part: any origin may
 * call (Shopify runs extensions in a web worker whose origin it does not promise), and every answer,
 * errors included, carries the CORS headers so the extension can read its status.
 */
export interface VerifiedExtension {
  shop: string;
  /** The token's `sub` (a customer gid) when the buyer is signed in. */
  customer?: string;
}

const JWT = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
const MYSHOPIFY = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export function withExtensionHeaders(response: Response, extra: Record<string, string> = {}): Response {
  const headers = new Headers(response.headers);
  headers.set("Access-Control-Allow-Origin", "*");
  headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Keyrelay-Confirmation");
  headers.set("Access-Control-Allow-Methods", "GET, OPTIONS");
  headers.set("Cache-Control", "no-store");
  headers.set("Vary", "Authorization");
  for (const [k, v] of Object.entries(extra)) headers.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export function extensionJson(_who: VerifiedExtension | null, body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return withExtensionHeaders(Response.json(body, { status }), extra);
}

export async function verifyExtensionRequest(
  s: Services,
  request: Request,
  opts: { surface: "checkout" | "customer-account"; ip: string; preflight?: boolean },
): Promise<VerifiedExtension | Response> {
  if (opts.preflight) return withExtensionHeaders(new Response(null, { status: 204, headers: { "Access-Control-Max-Age": "7200" } }));
  if (!s.config.shopify) return extensionJson(null, { error: "shopify_not_configured" }, 404);

  const ipWait = await s.buyerLimiter.consume([`ip:${clientNetwork(opts.ip)}`]);
  if (ipWait > 0) return extensionJson(null, { error: "too_many_requests" }, 429, { "Retry-After": String(ipWait) });

  const header = request.headers.get("authorization") ?? "";
  if (!JWT.test(header)) return extensionJson(null, { error: "unauthorized" }, 401);

  let payload: Record<string, unknown>;
  try {
    const auth = shopifyFor(s).authenticate.public;
    const result = opts.surface === "customer-account" ? await auth.customerAccount(request) : await auth.checkout(request);
    payload = result.sessionToken as unknown as Record<string, unknown>;
  } catch (e) {
    if (e instanceof Response) {
      // 401 for a bad token (signature, expiry, not yet valid), 410 for a self-declared bot.
      return extensionJson(null, { error: e.status === 410 ? "gone" : "unauthorized" }, e.status === 410 ? 410 : 401);
    }
    throw e;
  }
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audience.includes(s.config.shopify.apiKey)) return extensionJson(null, { error: "unauthorized" }, 401);
  let shop: string;
  try {
    shop = new URL(String(payload.dest)).hostname.toLowerCase();
  } catch {
    return extensionJson(null, { error: "unauthorized" }, 401);
  }
  if (!MYSHOPIFY.test(shop)) return extensionJson(null, { error: "unauthorized" }, 401);

  const shopWait = await s.buyerLimiter.consume([`shop:${shop}`]);
  if (shopWait > 0) return extensionJson(null, { error: "too_many_requests" }, 429, { "Retry-After": String(shopWait) });
  const customer = typeof payload.sub === "string" && payload.sub !== "" ? payload.sub : undefined;
  return { shop, customer };
}
