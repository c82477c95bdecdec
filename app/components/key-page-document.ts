import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { keyPageHeaders } from "../.server/http/key-page-response.ts";
import { textTranslator, type Locale } from "../i18n/i18n.ts";
import { KeyPage, type KeyPageState } from "./key-page.tsx";

// The buyer's key page rendered to a whole HTML answer (the route serves it as is: no client bundle).

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
