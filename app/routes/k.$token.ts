import { clientNetwork } from "../.server/domain/client-network.ts";
import { negotiateLocale, type Locale } from "../i18n/i18n.ts";
import { readForm } from "../.server/http/read-form.ts";
import { keyPageHeaders, requestedLocale } from "../.server/http/key-page-response.ts";
import { keyPageMessage, keyPageResponse } from "../components/key-page-document.ts";
import { openKeyPage } from "../.server/use-cases/open-key-page.ts";
import type { Reveal } from "../.server/use-cases/show-buyer-keys.ts";
import type { Route } from "./+types/k.$token";

/**
 * The buyer's signed key page, for every host: GET shows the order's keys, POST (the "show keys"
 * button of a reveal-on-click pool) shows those too. Plain HTML, no cookies, no client bundle.
 * The token is never logged: it is the buyer's key to their keys.
 */
export async function loader({ request, params, context }: Route.LoaderArgs) {
  // A HEAD (link checkers, previews) reads nothing and records no view.
  if (request.method === "HEAD") return new Response(null, { status: 200, headers: keyPageHeaders() });
  return keyPage(request, params.token, context, "none");
}

export async function action({ request, params, context }: Route.ActionArgs) {
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "GET, POST" } });
  let reveal: Reveal = "none";
  try {
    reveal = (await readForm(request, 4096)).getAll("reveal").slice(0, 100);
  } catch {
    reveal = "none";
  }
  return keyPage(request, params.token, context, reveal);
}

async function keyPage(request: Request, token: string, context: Route.LoaderArgs["context"], reveal: Reveal): Promise<Response> {
  const s = context.services;
  const url = new URL(request.url);
  const asked = requestedLocale(url);
  const fallback: Locale = asked ?? negotiateLocale(request.headers.get("accept-language")) ?? s.config.defaultLocale;
  try {
    const wait = await s.buyerLimiter.consume([`ip:${clientNetwork(context.clientIp)}`]);
    if (wait > 0) return keyPageMessage(fallback, "tooMany", { status: 429, headers: { "Retry-After": String(wait) } });
    const result = await openKeyPage(s, token, reveal);
    if (result.kind === "invalid") return keyPageMessage(fallback, "invalid", { status: 404 });
    if (result.kind === "expired") return keyPageMessage(asked ?? result.locale, "expired", { status: 410, shop: result.shopName });
    const { view } = result;
    const locale = asked ?? view.locale;
    if (view.status === "pending") {
      return keyPageResponse({ locale, pageUrl: url, state: { kind: "pending", orderName: view.orderName, shopName: view.shopName } });
    }
    return keyPageResponse({
      locale,
      pageUrl: url,
      state: { kind: "keys", orderName: view.orderName, shopName: view.shopName, lines: view.lines, validUntil: new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(result.expiresAt) },
    });
  } catch (e) {
    // Never the URL (it carries the token), never a stack trace to the buyer.
    s.log.error({ err: e instanceof Error ? { name: e.name, message: e.message } : String(e), route: "/k/:token" }, "key page failed");
    return keyPageMessage(fallback, "error", { status: 500 });
  }
}
