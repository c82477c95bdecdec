import { isLocale, type Locale } from "../../i18n/i18n.ts";

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

/** `?lang=` from the language switch wins; otherwise the caller's choice. */
export function requestedLocale(url: URL): Locale | undefined {
  const lang = url.searchParams.get("lang");
  return isLocale(lang) ? lang : undefined;
}
