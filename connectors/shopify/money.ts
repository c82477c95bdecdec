/**
 * Shopify sends money as decimal strings ("10.00") in the currency's precision; keyrelay keeps
 * integer minor units of the ISO exponent (JPY 0, USD 2, KWD 3), converted from the text without
 * float arithmetic so 0.1 + 0.2 never leaks into totals.
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

/** "12.345" USD → 1235 (half away from zero); null for anything that is not a decimal. */
export function toMinorUnits(amount: string | number | null | undefined, currency: string | null | undefined): number | null {
  if (amount === null || amount === undefined) return null;
  const text = typeof amount === "number" ? (Number.isFinite(amount) ? String(amount) : "") : amount.trim();
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return null;
  const [, sign, int, frac = ""] = m;
  const exp = currencyExponent(currency);
  const kept = (frac + "0".repeat(exp)).slice(0, exp);
  let minor = Number(int) * 10 ** exp + (exp > 0 ? Number(kept) : 0);
  if ((frac[exp] ?? "0") >= "5") minor += 1;
  return sign === "-" ? -minor : minor;
}
