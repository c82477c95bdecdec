/**
 * What a reseller pays for one unit of a pool, in integer minor units of the reseller's currency.
 * A pool in a reseller's list has either its own price or a discount (basis points, 1500 = 15 %)
 * from the pool's list price; a discount needs a list price in the same currency.
 */
export interface PoolPriceRule {
  priceMinor: number | null;
  discountBps: number | null;
}

export interface ListPrice {
  listPriceMinor: number | null;
  currency: string | null;
}

/** The unit price, or null when the rule cannot be priced (no list price, another currency). */
export function resellerUnitPrice(rule: PoolPriceRule, list: ListPrice, resellerCurrency: string): number | null {
  if (rule.priceMinor !== null) return rule.priceMinor;
  if (rule.discountBps === null) return null;
  if (list.listPriceMinor === null || list.currency !== resellerCurrency) return null;
  // Rounded half up to the minor unit: 15 % off 999 is 849.15 → 849.
  return Math.round((list.listPriceMinor * (10_000 - rule.discountBps)) / 10_000);
}

/** Minor-unit digits of a currency (ISO 4217); 2 unless known otherwise. */
export function currencyDigits(currency: string): number {
  if (ZERO_DIGIT.has(currency)) return 0;
  if (THREE_DIGIT.has(currency)) return 3;
  return 2;
}
const ZERO_DIGIT = new Set(["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "RWF", "KMF", "GNF", "VUV", "XPF", "DJF", "BIF"]);
const THREE_DIGIT = new Set(["BHD", "KWD", "OMR", "JOD", "TND", "LYD", "IQD"]);

/**
 * "12.50" in a currency → 1250 minor units; null when the text is not a non-negative amount with
 * at most the currency's digits (no floats on the way: "0.1" + "0.2" never meets binary rounding).
 */
export function parseAmount(text: string, currency: string, opts: { allowNegative?: boolean } = {}): number | null {
  const t = text.trim();
  const digits = currencyDigits(currency);
  const m = /^(-)?(\d{1,12})(?:\.(\d+))?$/.exec(t);
  if (!m) return null;
  if (m[1] && !opts.allowNegative) return null;
  const frac = m[3] ?? "";
  if (frac.length > digits) return null;
  const minor = Number(m[2]) * 10 ** digits + Number(frac.padEnd(digits, "0") || "0");
  return m[1] ? -minor : minor;
}

/** 1250 minor units → "12.50" (for output; the API also gives the minor units). */
export function formatAmount(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  if (digits === 0) return `${sign}${abs}`;
  const p = 10 ** digits;
  return `${sign}${Math.floor(abs / p)}.${String(abs % p).padStart(digits, "0")}`;
}

/** A discount like "15%" or "12.5%" → basis points; null when outside 0–100 %. */
export function parseDiscount(text: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?\s*%$/.exec(text.trim());
  if (!m) return null;
  const bps = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0") || "0");
  return bps <= 10_000 ? bps : null;
}
