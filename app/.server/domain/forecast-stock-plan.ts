import { normalQuantile } from "./forecast-interval.ts";

/**
 * What the merchant does with a forecast: how many days the stock lasts, when to reorder
 * (lead-time demand + safety stock for the service level) and how much to order so the stock
 * covers the lead time plus `coverDays` more.
 */
export type StockPlanInput = {
  available: number;
  dailyMean: readonly number[];
  dailyVariance: readonly number[];
  leadTimeDays: number;
  serviceLevel: number;
  coverDays: number;
};

export type StockPlan = {
  /** Whole days until the expected demand uses up the stock; null when it lasts beyond the forecast. */
  daysOfCover: number | null;
  leadTimeDemand: number;
  safetyStock: number;
  reorderPoint: number;
  reorderNow: boolean;
  suggestedOrderQuantity: number;
};

export function stockPlan(input: StockPlanInput): StockPlan {
  const { available, dailyMean, dailyVariance, leadTimeDays, serviceLevel, coverDays } = input;
  const meanAt = (day: number) => (day < dailyMean.length ? dailyMean[day] : average(dailyMean));
  const varianceAt = (day: number) => (day < dailyVariance.length ? dailyVariance[day] : average(dailyVariance));
  let leadTimeDemand = 0;
  let leadTimeVariance = 0;
  for (let day = 0; day < leadTimeDays; day += 1) {
    leadTimeDemand += meanAt(day);
    leadTimeVariance += varianceAt(day);
  }
  const safetyStock = normalQuantile(serviceLevel) * Math.sqrt(leadTimeVariance);
  const reorderPoint = Math.ceil(leadTimeDemand + Math.max(0, safetyStock));
  let coverDemand = 0;
  for (let day = leadTimeDays; day < leadTimeDays + coverDays; day += 1) coverDemand += meanAt(day);
  const target = reorderPoint + coverDemand;
  return {
    daysOfCover: daysOfCover(available, dailyMean),
    leadTimeDemand: round1(leadTimeDemand),
    safetyStock: Math.ceil(Math.max(0, safetyStock)),
    reorderPoint,
    reorderNow: available <= reorderPoint,
    suggestedOrderQuantity: Math.max(0, Math.ceil(target - available)),
  };
}

function daysOfCover(available: number, dailyMean: readonly number[]): number | null {
  let left = available;
  for (let day = 0; day < dailyMean.length; day += 1) {
    left -= dailyMean[day];
    if (left < 0) return day;
  }
  return null;
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
