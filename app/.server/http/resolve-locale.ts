import { isLocale, matchLocale, negotiateLocale, type Locale } from "../../i18n/i18n.ts";

/**
 * Which language a page speaks: Shopify's `locale` parameter inside the admin, else the signed-in
 * admin's own setting, else the browser's Accept-Language, else the account or server default.
 */
export function resolveLocale(input: {
  request: Request;
  userLocale?: string | null;
  accountLocale?: string | null;
  fallback: Locale;
}): Locale {
  const url = new URL(input.request.url);
  const fromShopify = matchLocale(url.searchParams.get("locale"));
  if (fromShopify) return fromShopify;
  if (isLocale(input.userLocale)) return input.userLocale;
  const fromBrowser = negotiateLocale(input.request.headers.get("accept-language"));
  if (fromBrowser) return fromBrowser;
  if (isLocale(input.accountLocale)) return input.accountLocale;
  return input.fallback;
}
