import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { KeyPage, type KeyPageState } from "../../components/key-page.tsx";
import { isLocale, textTranslator, type Locale } from "../../i18n/i18n.ts";

/**
 * Headers for every answer of the buyer's key page: never cached or indexed, never framed, no
 * Referer (the token is in the URL), and a Content-Security-Policy that allows no inline script or
 * style, only this origin's two files, and forms posting back here.
 */
export const KEY_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function keyPageHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": KEY_PAGE_CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    ...extra,
  });
}

export function keyPageResponse(input: { locale: Locale; state: KeyPageState; status?: number; pageUrl?: URL; headers?: Record<string, string> }): Response {
  const t = textTranslator(input.locale);
  let switchHref: string | undefined;
  let actionHref: string | undefined;
  if (input.pageUrl) {
    const other = new URL(input.pageUrl);
    other.search = "";
    other.searchParams.set("lang", input.locale === "en" ? "zh-CN" : "en");
    switchHref = `${other.pathname}${other.search}`;
    actionHref = `${input.pageUrl.pathname}${input.pageUrl.search}`;
  }
  const html = renderToStaticMarkup(createElement(KeyPage, { t, lang: input.locale, state: input.state, switchHref, actionHref }));
  return new Response(`<!doctype html>${html}`, { status: input.status ?? 200, headers: keyPageHeaders(input.headers) });
}

/** A plain message page (expired, invalid, too many requests, error) in the given language. */
export function keyPageMessage(locale: Locale, kind: "expired" | "invalid" | "tooMany" | "error", opts: { shop?: string; status: number; headers?: Record<string, string> }): Response {
  const t = textTranslator(locale);
  return keyPageResponse({
    locale,
    status: opts.status,
    headers: opts.headers,
    state: { kind: "message", title: t(`buyerPage.${kind}Title`), body: t(`buyerPage.${kind}Body`, { shop: opts.shop ?? "" }) },
  });
}

/** `?lang=` from the language switch wins; otherwise the caller's choice. */
export function requestedLocale(url: URL): Locale | undefined {
  const lang = url.searchParams.get("lang");
  return isLocale(lang) ? lang : undefined;
}
