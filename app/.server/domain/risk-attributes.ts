/**
 * The attributes a risk condition can read (issue 13), by name, and what kind of value each is.
 * The README's "Risk control" section lists the same names; `risk rules add --help` prints them.
 *
 * Velocity attributes are built from parts: `<measure>_per_<subject>_<window>`, e.g.
 * `keys_per_ip_1h`, `orders_per_email_24h`, `money_per_customer_7d`, `orders_per_card_24h` (window N m|h|d, 1 minute to
 * 365 days). Each counts this order too: `keys_per_ip_1h > 5` is true from the 6th key in an hour.
 */
export type AttributeKind = "text" | "ip" | "country" | "money" | "count" | "flag" | "host_risk" | "platform" | "card" | "card_bin" | "card_last4";

export const ATTRIBUTES = {
  email: "text",
  email_domain: "text",
  customer_id: "text",
  store: "text",
  pool: "text",
  currency: "text",
  platform: "platform",
  ip: "ip",
  ip_country: "country",
  billing_country: "country",
  total: "money",
  keys: "count",
  first_order: "flag",
  disposable_email: "flag",
  on_allow_list: "flag",
  on_block_list: "flag",
  host_risk: "host_risk",
  // The card paid with, where the host shows it (Shopify): `card` is `BIN…LAST4` (424242…4242),
  // `card_bin` its first 6–8 digits, `card_last4` the last four, `card_brand` as the host names it (Visa).
  card: "card",
  card_bin: "card_bin",
  card_last4: "card_last4",
  card_brand: "text",
} as const satisfies Record<string, AttributeKind>;

export type PlainAttribute = keyof typeof ATTRIBUTES;

export const MEASURES = ["orders", "keys", "money"] as const;
export const SUBJECTS = ["email", "ip", "customer", "store", "card"] as const;
export type VelocityMeasure = (typeof MEASURES)[number];
export type VelocitySubject = (typeof SUBJECTS)[number];

export const WINDOW_UNITS = { m: 1, h: 60, d: 1440 } as const;
export type WindowUnit = keyof typeof WINDOW_UNITS;
export const MAX_WINDOW_MINUTES = 365 * 1440;

/** One velocity figure a rule reads: the use-case computes exactly these, from indexed rows. */
export interface VelocitySpec {
  measure: VelocityMeasure;
  subject: VelocitySubject;
  /** Window length in minutes (1h → 60). */
  minutes: number;
  /** Money is summed in one currency: the one the rule's amount names. */
  currency?: string;
  /** The name the facts carry it under: as written (`keys_per_ip_1h`), plus `:USD` for money. */
  name: string;
}

export const HOST_RISK_VALUES = ["ACCEPT", "INVESTIGATE", "CANCEL", "PENDING", "NONE", "UNAVAILABLE"] as const;
export type HostRiskValue = (typeof HOST_RISK_VALUES)[number];
export const PLATFORM_VALUES = ["shopify", "woocommerce", "reseller"] as const;

/** Attributes whose fact is the order's card: a rule set reading one makes the app ask the host for it. */
export const CARD_ATTRIBUTES = ["card", "card_bin", "card_last4", "card_brand"] as const;

/** Named sets a value can be `in`: the disposable-domain list and the account's allow / block lists. */
export const NAMED_SETS = ["disposable", "allow_list", "block_list"] as const;
export type NamedSet = (typeof NAMED_SETS)[number];

export function isPlainAttribute(name: string): name is PlainAttribute {
  return Object.prototype.hasOwnProperty.call(ATTRIBUTES, name);
}

/** Every attribute name a merchant can type (velocity ones as patterns), for help and errors. */
export function attributeNames(): string[] {
  return [...Object.keys(ATTRIBUTES), `{${MEASURES.join("|")}}_per_{${SUBJECTS.join("|")}}_<N>{m|h|d}`];
}

/** ISO 3166-1 alpha-2 region codes Intl knows by name (EU, UN and the like are groupings, not countries). */
const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "ZZ"]);
let regionNames: Intl.DisplayNames | undefined;
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false;
  regionNames ??= new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
  return regionNames.of(code) !== code;
}

let currencySet: Set<string> | undefined;
export function isCurrencyCode(code: string): boolean {
  currencySet ??= new Set(Intl.supportedValuesOf("currency"));
  return currencySet.has(code);
}

/** The ISO exponent of a currency (JPY 0, USD 2, KWD 3), as the stored minor units use it. */
export function currencyExponent(code: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
