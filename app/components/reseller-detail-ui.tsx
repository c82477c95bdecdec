import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import type { ResellerDetailActionData, resellerDetailLoader } from "../.server/http/reseller-detail-page.ts";
import type { Locale } from "../i18n/i18n.ts";
import { errorText, useLocale } from "./pool-ui.tsx";

/** Pieces the cards of a reseller's page share: its data, its forms' answers, money in and out of text. */

export type ResellerDetailData = Awaited<ReturnType<typeof resellerDetailLoader>>;

/** Minor-unit digits of a currency as Intl knows them (formatMoney uses the same). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** 1250 USD → "12.50": what an amount field starts from (plain digits, the form's own format). */
export function minorToInput(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const sign = minor < 0 ? "-" : "";
  const abs = String(Math.abs(minor)).padStart(digits + 1, "0");
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/** An example amount in the currency's own digits ("12.50", "1250" for JPY), for help and errors. */
export function exampleAmount(currency: string): string {
  return minorToInput(1250, currency);
}

/**
 * The sentence for a refusal on this page: the page's own wording first (an amount names the
 * currency and its decimals; a missing reason does not speak of CLI flags), then the shared one.
 */
export function detailErrorText(t: TFunction, locale: Locale, error: { code: string; params?: Record<string, string | number>; field?: string }, currency: string): string {
  const params = { ...error.params, currency, digits: currencyDigits(currency), example: exampleAmount(currency) };
  const own = `resellers.detail.errors.${error.code}`;
  if (error.code === "invalid_input") return errorText(t, locale, error);
  return t([own, `errors.${error.code}`, "errors.unexpected"], params);
}

/** A form of the page: its fetcher, whether it is busy, and the error for one of its fields. */
export function useDetailForm(currency: string) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<ResellerDetailActionData>();
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data.error : null;
  const succeeded = fetcher.state === "idle" && fetcher.data?.ok ? fetcher.data : null;
  return {
    fetcher,
    busy: fetcher.state !== "idle",
    succeeded,
    failed,
    /** The error shown at `field`; one with no field (or none of `fields`) goes to `fallback`. */
    errorAt(field: string, fields: readonly string[] = [field], fallback?: string): string | undefined {
      if (!failed) return undefined;
      const at = failed.field && fields.includes(failed.field) ? failed.field : fallback;
      return at === field ? detailErrorText(t, locale, failed, currency) : undefined;
    },
    message: failed ? detailErrorText(t, locale, failed, currency) : null,
  };
}
