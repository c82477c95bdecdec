import { countAvailable } from "../db/repositories/pools-repo.ts";
import { poolDailyUnits } from "../db/repositories/report-rollups-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { forecastDemand, type ForecastResult } from "../domain/forecast.ts";
import { stockPlan, type StockPlan } from "../domain/forecast-stock-plan.ts";
import { addDays, eachDay, localDay } from "../domain/report-day.ts";
import type { Services } from "../ports.ts";
import { refreshReportRollups } from "./refresh-report-rollups.ts";

/** What a pool's restock plan assumes when the merchant has not said (the defaults). */
export const DEFAULT_LEAD_TIME_DAYS = 3;
export const DEFAULT_SERVICE_LEVEL_PCT = 95;
/** A year of history is plenty for daily demand; older sales say little about next month. */
const HISTORY_DAYS = 365;

export interface PoolForecast {
  poolId: string;
  poolName: string;
  timeZone: string;
  /** The first forecast day (tomorrow, local). */
  startDay: string;
  days: number;
  historyFrom: string | null;
  historyTo: string;
  available: number;
  leadTimeDays: number;
  serviceLevelPct: number;
  forecast: ForecastResult;
  /** Per-day points of the forecast (mean, interval), when there is one. */
  points: { day: string; mean: number; lower: number; upper: number }[];
  plan: StockPlan | null;
}

export function parseForecastOptions(input: { days?: string | number; leadTimeDays?: string | number; serviceLevelPct?: string | number }): { days: number; leadTimeDays?: number; serviceLevelPct?: number } {
  const int = (v: string | number | undefined, field: string, min: number, max: number): number | undefined => {
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidInputError("report_bad_number", `${field} must be a whole number from ${min} to ${max}`, { field, params: { field, min, max } });
    return n;
  };
  return { days: int(input.days, "days", 1, 90) ?? 30, leadTimeDays: int(input.leadTimeDays, "leadTimeDays", 0, 90), serviceLevelPct: int(input.serviceLevelPct, "serviceLevelPct", 50, 99) };
}

export async function getPoolForecast(
  s: Pick<Services, "db" | "database">,
  accountId: string,
  poolId: string,
  opts: { days: number; leadTimeDays?: number; serviceLevelPct?: number },
): Promise<PoolForecast> {
  const pool = await s.db
    .selectFrom("pools as p")
    .innerJoin("accounts as a", "a.id", "p.account_id")
    .select(["p.id", "p.name", "p.lead_time_days", "p.service_level_pct", "a.time_zone"])
    .where("p.account_id", "=", accountId)
    .where("p.id", "=", poolId)
    .executeTakeFirst();
  if (!pool) throw new InvalidInputError("pool_not_found", "no such pool", { params: { id: poolId } });
  await refreshReportRollups(s, { maxBatches: 5 });
  const today = localDay(new Date(), pool.time_zone);
  // History ends yesterday: today's half-day would read as a slump.
  const historyTo = addDays(today, -1);
  const from = addDays(today, -HISTORY_DAYS);
  const sold = await poolDailyUnits(s.db, accountId, poolId, { from, to: historyTo });
  // The series starts at the first sale: days before a pool first sold are not zero demand.
  const firstSale = [...sold.keys()].sort()[0] ?? null;
  const history = firstSale && firstSale <= historyTo ? eachDay(firstSale, historyTo).map((d) => sold.get(d) ?? 0) : [];
  const leadTimeDays = opts.leadTimeDays ?? pool.lead_time_days ?? DEFAULT_LEAD_TIME_DAYS;
  const serviceLevelPct = opts.serviceLevelPct ?? pool.service_level_pct ?? DEFAULT_SERVICE_LEVEL_PCT;
  const forecast = forecastDemand({ history, days: opts.days });
  const available = await countAvailable(s.db, poolId);
  const startDay = addDays(today, 1);
  const points =
    forecast.status === "ok" ? forecast.mean.map((mean, i) => ({ day: addDays(startDay, i), mean, lower: forecast.lower[i], upper: forecast.upper[i] })) : [];
  const plan =
    forecast.status === "ok"
      ? stockPlan({ available, dailyMean: forecast.mean, dailyVariance: forecast.variance, leadTimeDays, serviceLevel: serviceLevelPct / 100, coverDays: opts.days })
      : null;
  return { poolId, poolName: pool.name, timeZone: pool.time_zone, startDay, days: opts.days, historyFrom: firstSale, historyTo, available, leadTimeDays, serviceLevelPct, forecast, points, plan };
}
