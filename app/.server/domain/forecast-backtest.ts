import { forecastWith, mean, type MethodSpec } from "./forecast-methods.ts";

/**
 * Rolling-origin back-test: from several origins in the recent past, forecast the following
 * `horizon` days with only the data before the origin, and compare with what happened. The error
 * is MASE: mean absolute error divided by the in-sample mean absolute error of the naive forecast
 * (yesterday's demand), so below 1 means better than the naive forecast.
 */
export type BacktestOptions = { horizon: number; origins: number };

export function naiveScale(history: readonly number[]): number {
  if (history.length < 2) return 0;
  let sum = 0;
  for (let t = 1; t < history.length; t += 1) sum += Math.abs(history[t] - history[t - 1]);
  return sum / (history.length - 1);
}

/** MASE of a forecast against actuals, scaled by the naive error on `training`. */
export function mase(forecast: readonly number[], actual: readonly number[], training: readonly number[]): number {
  const mae = mean(actual.map((y, i) => Math.abs(y - forecast[i])));
  const scale = naiveScale(training);
  if (scale > 0) return mae / scale;
  // A constant history: the naive forecast is perfect in-sample, so any error is "infinitely" worse.
  return mae === 0 ? 0 : Number.POSITIVE_INFINITY;
}

export function backtestMase(spec: MethodSpec, history: readonly number[], options: BacktestOptions): number {
  const { horizon, origins } = options;
  const errors: number[] = [];
  const firstOrigin = history.length - horizon * origins;
  for (let k = 0; k < origins; k += 1) {
    const origin = firstOrigin + k * horizon;
    const training = history.slice(0, origin);
    const actual = history.slice(origin, origin + horizon);
    const forecast = forecastWith(spec, training, actual.length);
    for (let i = 0; i < actual.length; i += 1) errors.push(Math.abs(actual[i] - forecast[i]));
  }
  const scale = naiveScale(history.slice(0, firstOrigin));
  const mae = mean(errors);
  if (scale > 0) return mae / scale;
  return mae === 0 ? 0 : Number.POSITIVE_INFINITY;
}
