/**
 * Prediction intervals for daily counts: a negative binomial with the forecast as its mean and
 * the variance the history showed (variance = dispersionIndex × mean; an index of 1 is Poisson).
 */
export function negativeBinomialQuantile(meanValue: number, dispersionIndex: number, probability: number): number {
  if (meanValue <= 0) return 0;
  const pmf0AndRatio = pmfStart(meanValue, Math.max(1, dispersionIndex));
  let pmf = pmf0AndRatio.p0;
  let cumulative = pmf;
  let k = 0;
  // Walk the pmf by its recurrence; bounded so a bad input cannot loop for ever.
  const limit = Math.ceil(meanValue * 50 + 1000);
  while (cumulative < probability && k < limit) {
    pmf = pmf * pmf0AndRatio.ratio(k);
    k += 1;
    cumulative += pmf;
  }
  return k;
}

function pmfStart(meanValue: number, index: number): { p0: number; ratio: (k: number) => number } {
  if (index <= 1 + 1e-9) return { p0: Math.exp(-meanValue), ratio: (k) => meanValue / (k + 1) };
  // NB(r, p) with mean m, variance index·m: p = 1/index, r = m/(index − 1).
  const p = 1 / index;
  const r = meanValue / (index - 1);
  return { p0: Math.pow(p, r), ratio: (k) => ((k + r) / (k + 1)) * (1 - p) };
}

/** Inverse of the standard normal CDF (Acklam), for safety stock at a service level. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError("probability must be between 0 and 1");
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
