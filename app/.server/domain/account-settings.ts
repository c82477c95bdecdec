import { z } from "zod";
import { InvalidInputError } from "./errors.ts";

/**
 * An account's settings: one list of keys, each with its validation, shared by the settings page
 * and `bin/keyrelay settings get|set` (the keys are the CLI's public names). Pure: no I/O.
 *
 *   account.name            what the admins show (1-200 characters)
 *   account.timezone        an IANA zone; where the account's days begin and end (export file names, reports)
 *   account.currency        ISO 4217; the currency new pools start with
 *   account.language        en | zh-CN; emails to the merchant and to buyers whose language is unknown
 *   email.sender_name       the name on the From line of every email (the address stays MAIL_FROM)
 *   email.reply_to          where a buyer's reply goes; empty: to the From address
 *   low_stock.threshold     the threshold new pools start with (0 = no alert)
 *   low_stock.alert_email   where low-stock alerts go; empty: no alert mail
 *   risk.host_wait_minutes  how long an order whose rules read the host's risk (Shopify) waits for it (1-1440)
 *   risk.host_fallback      when the host's risk stays unknown: review (hold the order) or allow
 *   audit.retention_days    sealed audit rows older than this are pruned (30-3650; empty or "off": kept forever)
 */
export const SETTING_KEYS = [
  "account.name",
  "account.timezone",
  "account.currency",
  "account.language",
  "email.sender_name",
  "email.reply_to",
  "low_stock.threshold",
  "low_stock.alert_email",
  "risk.host_wait_minutes",
  "risk.host_fallback",
  "audit.retention_days",
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export interface AccountSettings {
  "account.name": string;
  "account.timezone": string;
  "account.currency": string;
  "account.language": "en" | "zh-CN";
  "email.sender_name": string | null;
  "email.reply_to": string | null;
  "low_stock.threshold": number;
  "low_stock.alert_email": string | null;
  "risk.host_wait_minutes": number;
  "risk.host_fallback": "review" | "allow";
  "audit.retention_days": number | null;
}

export const SETTING_LANGUAGES = ["en", "zh-CN"] as const;
export const SENDER_NAME_MAX = 100;
export const LOW_STOCK_MAX = 10_000_000;
/** The longest an order may wait for the host's risk analysis: a day. */
export const HOST_RISK_WAIT_MAX_MINUTES = 1440;
export const HOST_RISK_FALLBACKS = ["review", "allow"] as const;
/** Audit retention: at least a month (an incident is noticed and looked into), at most ten years. */
export const AUDIT_RETENTION_MIN_DAYS = 30;
export const AUDIT_RETENTION_MAX_DAYS = 3650;

export function isSettingKey(v: unknown): v is SettingKey {
  return typeof v === "string" && (SETTING_KEYS as readonly string[]).includes(v);
}

/** Intl's canonical zones, plus "UTC" itself (Node lists only Etc-less canonical names). */
export function timeZones(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone")];
}

export function currencies(): string[] {
  return Intl.supportedValuesOf("currency");
}

// A header value: CR or LF would end the header and start one the sender chose (header injection);
// other control characters have no business in a name either.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** These take an empty value as "not set" (null). */
const OPTIONAL: ReadonlySet<SettingKey> = new Set(["email.sender_name", "email.reply_to", "low_stock.alert_email", "audit.retention_days"]);
/** Words that also mean "not set" for these (audit retention: keep everything). */
const UNSET_WORDS: Partial<Record<SettingKey, readonly string[]>> = { "audit.retention_days": ["off", "unlimited", "none"] };

const emailAddress = z
  .string()
  .trim()
  .refine((v) => !CONTROL.test(v), "settings_email_control")
  .pipe(z.email("settings_email_invalid"))
  .transform((v) => v.toLowerCase());

const SCHEMAS: { [K in SettingKey]: z.ZodType<NonNullable<AccountSettings[K]>> } = {
  "account.name": z.string().trim().min(1, "settings_name_required").max(200, "settings_name_too_long").refine((v) => !CONTROL.test(v), "settings_name_control"),
  "account.timezone": z
    .string()
    .trim()
    .refine((v) => timeZones().includes(v), "settings_timezone_invalid"),
  "account.currency": z
    .string()
    .trim()
    .toUpperCase()
    .refine((v) => currencies().includes(v), "settings_currency_invalid"),
  "account.language": z.enum(SETTING_LANGUAGES, { message: "settings_language_invalid" }),
  "email.sender_name": z
    .string()
    .trim()
    .refine((v) => !CONTROL.test(v), "settings_sender_control")
    .refine((v) => v.length <= SENDER_NAME_MAX, "settings_sender_too_long"),
  "email.reply_to": emailAddress,
  // A form and a terminal give digits; "1.5", "-1", "" are not a threshold (Number("") would be 0).
  "low_stock.threshold": z.preprocess(
    (v) => (typeof v === "string" ? (/^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN) : v),
    z.number({ message: "settings_threshold_invalid" }).int("settings_threshold_invalid").min(0, "settings_threshold_invalid").max(LOW_STOCK_MAX, "settings_threshold_invalid"),
  ),
  "low_stock.alert_email": emailAddress,
  "risk.host_wait_minutes": z.preprocess(
    (v) => (typeof v === "string" ? (/^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN) : v),
    z.number({ message: "settings_host_wait_invalid" }).int("settings_host_wait_invalid").min(1, "settings_host_wait_invalid").max(HOST_RISK_WAIT_MAX_MINUTES, "settings_host_wait_invalid"),
  ),
  "risk.host_fallback": z.enum(HOST_RISK_FALLBACKS, { message: "settings_host_fallback_invalid" }),
  "audit.retention_days": z.preprocess(
    (v) => (typeof v === "string" ? (/^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN) : v),
    z
      .number({ message: "settings_audit_retention_invalid" })
      .int("settings_audit_retention_invalid")
      .min(AUDIT_RETENTION_MIN_DAYS, "settings_audit_retention_invalid")
      .max(AUDIT_RETENTION_MAX_DAYS, "settings_audit_retention_invalid"),
  ),
};

/** What the catalog message of each code needs beyond the key. */
const PARAMS: Record<string, Record<string, string | number>> = {
  settings_name_too_long: { limit: 200 },
  settings_sender_too_long: { limit: SENDER_NAME_MAX },
  settings_threshold_invalid: { limit: LOW_STOCK_MAX },
  settings_language_invalid: { allowed: SETTING_LANGUAGES.join(", ") },
  settings_host_wait_invalid: { limit: HOST_RISK_WAIT_MAX_MINUTES },
  settings_host_fallback_invalid: { allowed: HOST_RISK_FALLBACKS.join(", ") },
  settings_audit_retention_invalid: { min: AUDIT_RETENTION_MIN_DAYS, max: AUDIT_RETENTION_MAX_DAYS },
};

/**
 * Parses one setting's value as a form or a terminal gives it (a string), or as JSON. A bad value
 * is an InvalidInputError whose field is the setting's key, so the page shows it beside that field.
 */
export function parseSetting<K extends SettingKey>(key: K, raw: unknown): AccountSettings[K] {
  if (OPTIONAL.has(key) && (raw === null || (typeof raw === "string" && (raw.trim() === "" || UNSET_WORDS[key]?.includes(raw.trim().toLowerCase()))))) return null as AccountSettings[K];
  const r = SCHEMAS[key].safeParse(raw);
  if (r.success) return r.data;
  const message = r.error.issues[0]?.message ?? "";
  const code = /^settings_[a-z_]+$/.test(message) ? message : "settings_invalid";
  throw new InvalidInputError(code, `${key}: ${code}`, { field: key, params: { key, ...(PARAMS[code] ?? {}) } });
}

export function parseSettingKey(raw: unknown): SettingKey {
  if (isSettingKey(raw)) return raw;
  throw new InvalidInputError("settings_key_unknown", `unknown setting; known: ${SETTING_KEYS.join(", ")}`, { field: "key", params: { key: String(raw ?? ""), keys: SETTING_KEYS.join(", ") } });
}

/**
 * Parses a set of changes (the page sends every field; the CLI one): every value is checked
 * before anything is written, so one bad field changes nothing. Unknown keys are refused.
 */
export function parseSettingsPatch(raw: Record<string, unknown>): Partial<AccountSettings> {
  const out: Partial<Record<SettingKey, unknown>> = {};
  for (const [k, v] of Object.entries(raw)) out[parseSettingKey(k)] = parseSetting(k as SettingKey, v);
  return out as Partial<AccountSettings>;
}

/** The keys whose value differs, with before and after (the audit row). */
export function settingsDiff(before: AccountSettings, patch: Partial<AccountSettings>): Partial<Record<SettingKey, { before: unknown; after: unknown }>> {
  const out: Partial<Record<SettingKey, { before: unknown; after: unknown }>> = {};
  for (const key of SETTING_KEYS) {
    if (!(key in patch)) continue;
    const after = patch[key];
    if (after !== before[key]) out[key] = { before: before[key], after };
  }
  return out;
}

/**
 * The calendar day (YYYY-MM-DD) an instant falls on in the account's time zone: where the
 * account's days begin and end. An unknown zone (a row edited by hand) counts as UTC.
 */
export function localDay(at: Date, timeZone: string): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  } catch {
    return at.toISOString().slice(0, 10);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}
