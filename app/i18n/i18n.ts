import i18next, { type i18n as I18n, type TFunction } from "i18next";
import en from "./locales/en.json" with { type: "json" };
import zhCN from "./locales/zh-CN.json" with { type: "json" };
import { featureCatalogs, mergeCatalogs } from "./feature-catalogs.ts";

/**
 * Message catalogs for everything a merchant or buyer reads. To add a language: add
 * locales/<tag>.json with every key of en.json, list it here, and the catalog test checks it.
 * A feature's texts live in features/<feature>.<locale>.json (feature-catalogs.ts) and are merged in.
 */
export const SUPPORTED_LOCALES = ["en", "zh-CN"] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export const catalogs: Record<Locale, Record<string, unknown>> = {
  en: mergeCatalogs(en, featureCatalogs.en),
  "zh-CN": mergeCatalogs(zhCN, featureCatalogs["zh-CN"]),
};

/** A ready, synchronous i18next instance: identical on the server render and in the browser. */
export function createI18n(locale: Locale): I18n {
  const instance = i18next.createInstance();
  void instance.init({
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    supportedLngs: [...SUPPORTED_LOCALES],
    resources: Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, { translation: catalogs[l] }])),
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  return instance;
}

const cache = new Map<Locale, TFunction>();
/** A translate function for server-side text (CLI, emails, errors). */
export function translator(locale: Locale): TFunction {
  let t = cache.get(locale);
  if (!t) {
    t = createI18n(locale).t;
    cache.set(locale, t);
  }
  return t;
}

/** The same, as a plain (key, values) → text function, for pure renderers that know no i18next. */
export function textTranslator(locale: Locale): (key: string, vars?: Record<string, string | number>) => string {
  const t = translator(locale);
  return (key, vars) => String(t(key, vars as never));
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (SUPPORTED_LOCALES as readonly string[]).includes(v);
}

/** Maps any tag (zh, zh-Hans-CN, zh_CN, en-GB) onto a supported locale, or undefined. */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const t = tag.trim().replace("_", "-").toLowerCase();
  if (t.startsWith("zh")) return t.includes("tw") || t.includes("hk") || t.includes("hant") ? undefined : "zh-CN";
  if (t.startsWith("en")) return "en";
  return undefined;
}

/** Picks the best supported locale from an Accept-Language header by quality. */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale | undefined {
  if (!acceptLanguage) return undefined;
  const ranked = acceptLanguage
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const m = matchLocale(tag);
    if (m) return m;
  }
  return undefined;
}

/** Locale-aware formatting with Intl: numbers, money in the order's currency, dates. */
export function formatNumber(locale: Locale, n: number): string {
  return new Intl.NumberFormat(locale).format(n);
}
export function formatMoney(locale: Locale, minor: number, currency: string): string {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(minor / 10 ** digits);
}
export function formatDateTime(locale: Locale, iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}
