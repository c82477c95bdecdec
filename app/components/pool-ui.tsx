import { Badge, Text } from "@shopify/polaris";
import type { TFunction } from "i18next";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { isLocale, type Locale } from "../i18n/i18n.ts";
import type { KeyState } from "../.server/db/schema.ts";

/** Small pieces shared by the pool pages. */

export function useLocale(): Locale {
  const { i18n } = useTranslation();
  return isLocale(i18n.language) ? i18n.language : "en";
}

/** False during the server render and the first client render, true once React has hydrated. */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

export function formatBytes(locale: Locale, bytes: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, { style: "unit", unit: units[unit], unitDisplay: unit === 0 ? "long" : "short", maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
}

export function formatDate(locale: Locale, iso: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));
}

const FIELD_CODES: Record<string, string> = {
  name: "pool_name",
  sku: "pool_sku",
  notes: "pool_notes",
  lowStockThreshold: "pool_low_stock",
  defaultCost: "pool_cost",
  currency: "pool_currency",
  formatRegex: "pool_format",
  refundPolicy: "pool_refund_policy",
  deliveryTemplate: "pool_template",
};

/**
 * The sentence for an error code: the import flow's own messages first (import.errors.*), then
 * the shared catalog (errors.*). A generic "invalid input" about a known pool field reads as that
 * field's message; byte limits are shown in KB/MB.
 */
export function errorText(t: TFunction, locale: Locale, error: { code: string; params?: Record<string, string | number>; field?: string }): string {
  const params: Record<string, string | number> = { ...error.params };
  if (typeof params.limit === "number" && (error.code === "file_too_large" || error.code === "body_too_large")) params.limit = formatBytes(locale, params.limit);
  const code = error.code === "invalid_input" && error.field && FIELD_CODES[error.field] ? FIELD_CODES[error.field] : error.code;
  return t([`import.errors.${code}`, `errors.${code}`, "errors.unexpected"], params);
}

/**
 * What a pool's stock looks like to the merchant: out of stock, below its threshold (or flagged
 * by the low-stock alert), or fine. Archived pools are just archived.
 */
export function stockStatus(p: { archived: boolean; lowStock: boolean; lowStockThreshold: number; counts: { available: number } }): "archived" | "out" | "low" | "ok" {
  if (p.archived) return "archived";
  if (p.counts.available === 0) return "out";
  if (p.lowStock || p.counts.available < p.lowStockThreshold) return "low";
  return "ok";
}

export function StockBadge({ pool }: { pool: Parameters<typeof stockStatus>[0] }) {
  const { t } = useTranslation();
  const status = stockStatus(pool);
  if (status === "archived") return <Badge>{t("pools.badges.archived")}</Badge>;
  if (status === "out") return <Badge tone="critical">{t("pools.badges.outOfStock")}</Badge>;
  if (status === "low") return <Badge tone="warning">{t("pools.badges.lowStock")}</Badge>;
  return <Badge tone="success">{t("pools.badges.inStock")}</Badge>;
}

const STATE_TONES: Partial<Record<KeyState, "success" | "info" | "attention" | "warning" | "critical">> = {
  available: "success",
  allocated: "info",
  delivered: "info",
  revoked: "critical",
  returned: "attention",
  expired: "warning",
};

export function StateBadge({ state }: { state: KeyState }) {
  const { t } = useTranslation();
  return <Badge tone={STATE_TONES[state]}>{t(`keys.states.${state}`)}</Badge>;
}

/** A code (masked or revealed) in the monospace face. */
export function Code({ children, size }: { children: ReactNode; size?: "large" }) {
  return (
    <Text as="span" variant={size === "large" ? "headingLg" : "bodyMd"} breakWord>
      <span style={{ fontFamily: "var(--p-font-family-mono)" }}>{children}</span>
    </Text>
  );
}
