/**
 * Point forecasts for daily demand counts. Each method fits on a history (oldest first) and returns
 * the expected demand for the next `days` days. Croston / SBA / TSB are made for intermittent
 * demand (many zero days); SES for steady demand; the weekday-seasonal ETS for demand with a
 * weekly pattern. The index of a day within the week is its position in the series modulo 7, so
 * the caller keeps the series aligned to calendar days.
 */
export type ForecastMethod = "croston" | "sba" | "tsb" | "ses" | "seasonal_ets";

export type MethodSpec = { method: ForecastMethod; alpha: number; beta?: number; gamma?: number };

export const WEEK = 7;

export function forecastWith(spec: MethodSpec, history: readonly number[], days: number): number[] {
  switch (spec.method) {
    case "croston":
      return flat(crostonRate(history, spec.alpha, false), days);
    case "sba":
      return flat(crostonRate(history, spec.alpha, true), days);
    case "tsb":
      return flat(tsbRate(history, spec.alpha, spec.beta ?? spec.alpha), days);
    case "ses":
      return flat(sesLevel(history, spec.alpha), days);
    case "seasonal_ets":
      return seasonalEts(history, spec.alpha, spec.gamma ?? 0.1, days);
  }
}

/** The candidates the back-test chooses from: small grids, since histories are short. */
export function candidateSpecs(): MethodSpec[] {
  const alphas = [0.05, 0.1, 0.2, 0.3];
  const specs: MethodSpec[] = [];
  for (const alpha of alphas) {
    specs.push({ method: "croston", alpha }, { method: "sba", alpha }, { method: "ses", alpha });
    for (const beta of [0.05, 0.1, 0.2]) specs.push({ method: "tsb", alpha, beta });
    for (const gamma of [0.05, 0.15]) specs.push({ method: "seasonal_ets", alpha, gamma });
  }
  return specs;
}

function flat(value: number, days: number): number[] {
  return Array.from({ length: days }, () => Math.max(0, value));
}

function crostonRate(history: readonly number[], alpha: number, debias: boolean): number {
  let size = NaN;
  let interval = NaN;
  let sinceLast = 0;
  for (const y of history) {
    sinceLast += 1;
    if (y <= 0) continue;
    if (Number.isNaN(size)) {
      size = y;
      interval = sinceLast;
    } else {
      size = alpha * y + (1 - alpha) * size;
      interval = alpha * sinceLast + (1 - alpha) * interval;
    }
    sinceLast = 0;
  }
  if (Number.isNaN(size)) return 0;
  // SBA removes Croston's known upward bias of size/interval.
  return (debias ? 1 - alpha / 2 : 1) * (size / interval);
}

function tsbRate(history: readonly number[], alpha: number, beta: number): number {
  const firstDemand = history.findIndex((y) => y > 0);
  if (firstDemand < 0) return 0;
  let size = history[firstDemand];
  let probability = history.filter((y) => y > 0).length / history.length;
  for (const y of history) {
    // TSB updates the probability every day, so a pool that stopped selling decays towards zero.
    probability = beta * (y > 0 ? 1 : 0) + (1 - beta) * probability;
    if (y > 0) size = alpha * y + (1 - alpha) * size;
  }
  return probability * size;
}

function sesLevel(history: readonly number[], alpha: number): number {
  if (history.length === 0) return 0;
  const warm = Math.min(history.length, WEEK);
  let level = mean(history.slice(0, warm));
  for (const y of history) level = alpha * y + (1 - alpha) * level;
  return level;
}

/** Additive level + weekday pattern (ETS(A,N,A) with period 7), clipped at zero. */
function seasonalEts(history: readonly number[], alpha: number, gamma: number, days: number): number[] {
  const n = history.length;
  if (n < 2 * WEEK) return flat(sesLevel(history, alpha), days);
  const warm = history.slice(0, 2 * WEEK);
  let level = mean(warm);
  const season = Array.from({ length: WEEK }, (_, d) => mean([warm[d], warm[d + WEEK]]) - level);
  for (let t = 0; t < n; t += 1) {
    const y = history[t];
    const s = season[t % WEEK];
    const nextLevel = alpha * (y - s) + (1 - alpha) * level;
    season[t % WEEK] = gamma * (y - nextLevel) + (1 - gamma) * s;
    level = nextLevel;
  }
  return Array.from({ length: days }, (_, h) => Math.max(0, level + season[(n + h) % WEEK]));
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
