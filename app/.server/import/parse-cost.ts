/**
 * A cost cell → integer minor units: `12.5` → 1250 with 2 digits. Accepts plain decimals with
 * optional comma thousands separators (`1,234.50`). Rejects (null) negatives, signs, currency
 * symbols, exponents, and more fraction digits than the currency has unless they are zeros
 * (`12.345` with 2 digits would need rounding; `12.500` is fine).
 */
export function parseCost(text: string, digits: number): number | null {
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const whole = m[1].replaceAll(",", "");
  let fraction = m[2] ?? "";
  if (fraction.length > digits) {
    if (!/^0*$/.test(fraction.slice(digits))) return null;
    fraction = fraction.slice(0, digits);
  }
  const minor = Number(whole + fraction.padEnd(digits, "0"));
  return Number.isSafeInteger(minor) ? minor : null;
}
