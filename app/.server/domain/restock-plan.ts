import { InvalidInputError } from "./errors.ts";

/**
 * A pool's restock plan: the supplier's lead time, the service level the reorder point plans for,
 * and an optional alert when the forecast says the stock lasts this many days or fewer. Empty
 * means the default (3 days, 95 %) or, for the alert, off.
 */
export interface RestockPlan {
  leadTimeDays: number | null;
  serviceLevelPct: number | null;
  alertDays: number | null;
}

const LIMITS = { leadTimeDays: [0, 90], serviceLevelPct: [50, 99], alertDays: [1, 90] } as const;

export function parseRestockPlan(raw: { leadTimeDays?: unknown; serviceLevelPct?: unknown; alertDays?: unknown }): RestockPlan {
  const one = (field: keyof typeof LIMITS): number | null => {
    const v = raw[field];
    if (v === undefined || v === null) return null;
    const text = String(v).trim();
    if (text === "" || text === "off") return null;
    const n = Number(text);
    const [min, max] = LIMITS[field];
    if (!/^\d+$/.test(text) || n < min || n > max) throw new InvalidInputError("report_bad_number", `${field} must be a whole number from ${min} to ${max}`, { field, params: { field, min, max } });
    return n;
  };
  return { leadTimeDays: one("leadTimeDays"), serviceLevelPct: one("serviceLevelPct"), alertDays: one("alertDays") };
}
