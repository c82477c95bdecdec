import { backtestMase } from "./forecast-backtest.ts";
import { negativeBinomialQuantile } from "./forecast-interval.ts";
import { candidateSpecs, forecastWith, mean, WEEK, type ForecastMethod, type MethodSpec } from "./forecast-methods.ts";

/**
 * A pool's demand forecast: the method with the lowest rolling back-test MASE among the
 * candidates, refitted on the whole history, with a per-day negative-binomial interval. A history
 * that is too short or has too few selling days gets "insufficient_history" instead of a guess.
 */
export const MIN_HISTORY_DAYS = 28;
export const MIN_SELLING_DAYS = 4;
const BACKTEST = { horizon: WEEK, origins: 8 };
/** Syntetos–Boylan: an average gap between selling days above 1.32 days is intermittent demand. */
const INTERMITTENT_GAP = 1.32;
const DISPERSION_WINDOW = 84;

export type ForecastInput = { history: readonly number[]; days: number; intervalShare?: number };

export type ForecastResult =
  | { status: "insufficient_history"; historyDays: number; sellingDays: number; neededDays: number; neededSellingDays: number }
  | {
      status: "ok";
      method: ForecastMethod;
      spec: MethodSpec;
      backtestMase: number;
      intervalShare: number;
      dispersionIndex: number;
      mean: number[];
      variance: number[];
      lower: number[];
      upper: number[];
    };

export function forecastDemand(input: ForecastInput): ForecastResult {
  const { history, days } = input;
  const intervalShare = input.intervalShare ?? 0.9;
  const sellingDays = history.filter((y) => y > 0).length;
  if (history.length < MIN_HISTORY_DAYS || sellingDays < MIN_SELLING_DAYS) {
    return { status: "insufficient_history", historyDays: history.length, sellingDays, neededDays: MIN_HISTORY_DAYS, neededSellingDays: MIN_SELLING_DAYS };
  }
  let best: { spec: MethodSpec; error: number } | null = null;
  // A weekday pattern fitted to a sparse series is mostly noise, so intermittent demand only
  // competes among the methods made for it (and SES).
  const intermittent = history.length / sellingDays > INTERMITTENT_GAP;
  const candidates = candidateSpecs().filter((spec) => !intermittent || spec.method !== "seasonal_ets");
  for (const spec of candidates) {
    const error = backtestMase(spec, history, BACKTEST);
    if (best === null || error < best.error) best = { spec, error };
  }
  const chosen = best as { spec: MethodSpec; error: number };
  const meanForecast = forecastWith(chosen.spec, history, days);
  const dispersionIndex = dispersionOf(history, chosen.spec.method === "seasonal_ets");
  const tail = (1 - intervalShare) / 2;
  return {
    status: "ok",
    method: chosen.spec.method,
    spec: chosen.spec,
    backtestMase: Math.round(chosen.error * 1000) / 1000,
    intervalShare,
    dispersionIndex: Math.round(dispersionIndex * 1000) / 1000,
    mean: meanForecast.map((m) => Math.round(m * 1000) / 1000),
    variance: meanForecast.map((m) => m * dispersionIndex),
    // The lower bound is the largest count with at most `tail` probability below it.
    lower: meanForecast.map((m) => lowerQuantile(m, dispersionIndex, tail)),
    upper: meanForecast.map((m) => negativeBinomialQuantile(m, dispersionIndex, 1 - tail)),
  };
}

function lowerQuantile(meanValue: number, index: number, tail: number): number {
  const q = negativeBinomialQuantile(meanValue, index, tail);
  return q;
}

/** Variance ÷ mean of recent days (around weekday means for a seasonal series); at least 1. */
function dispersionOf(history: readonly number[], seasonal: boolean): number {
  const start = Math.max(0, history.length - DISPERSION_WINDOW);
  const recent = history.slice(start);
  const m = mean(recent);
  if (m <= 0) return 1;
  let centres: number[];
  if (seasonal) {
    const byDay = Array.from({ length: WEEK }, (_, d) => mean(recent.filter((_, i) => (start + i) % WEEK === d)));
    centres = recent.map((_, i) => byDay[(start + i) % WEEK]);
  } else {
    centres = recent.map(() => m);
  }
  const degrees = Math.max(1, recent.length - (seasonal ? WEEK : 1));
  const variance = recent.reduce((s, y, i) => s + (y - centres[i]) ** 2, 0) / degrees;
  return Math.max(1, variance / m);
}
