/**
 * Hosts send money as decimal strings ("10.00", "1500": Shopify in the currency's precision,
 * WooCommerce in the store's display precision) and WooCommerce's line prices as floats. keyrelay
 * stores integer minor units of the currency's ISO exponent (JPY 0, USD 2, KWD 3), converted from
 * the decimal text without float arithmetic so 0.1 + 0.2 never leaks into totals.
 */
const exponents = new Map<string, number>();

export function currencyExponent(currency: string | null | undefined): number {
  const code = (currency ?? "").toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return 2;
  let e = exponents.get(code);
  if (e === undefined) {
    try {
      e = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      e = 2;
    }
    exponents.set(code, e);
  }
  return e;
}

/** "12.345" USD → 1235 (half away from zero); null for anything that is not a number. */
export function toMinorUnits(amount: string | number | null | undefined, currency: string | null | undefined): number | null {
  if (amount === null || amount === undefined || amount === "") return null;
  const text = typeof amount === "number" ? (Number.isFinite(amount) ? amount.toFixed(10) : "") : amount.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === "" && !m[3])) return null;
  const exp = currencyExponent(currency);
  const [, sign, int, frac = ""] = m;
  const kept = (frac + "0".repeat(exp)).slice(0, exp);
  const nextDigit = Number(frac[exp] ?? "0");
  let minor = Number(`${int || "0"}${kept}`) + (nextDigit >= 5 ? 1 : 0);
  if (sign === "-" && minor !== 0) minor = -minor;
  return minor;
}
