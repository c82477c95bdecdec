/**
 * A reseller's purchase limits: units per order and units per (UTC) day; null means no limit.
 */
export interface ResellerLimits {
  maxUnitsPerOrder: number | null;
  maxUnitsPerDay: number | null;
}

export type LimitRefusal = "order_limit_exceeded" | "daily_limit_exceeded";

export function checkLimits(limits: ResellerLimits, quantity: number, unitsToday: number): LimitRefusal | null {
  if (limits.maxUnitsPerOrder !== null && quantity > limits.maxUnitsPerOrder) return "order_limit_exceeded";
  if (limits.maxUnitsPerDay !== null && unitsToday + quantity > limits.maxUnitsPerDay) return "daily_limit_exceeded";
  return null;
}

/** The most a reseller may still buy in one order now (for the catalog). */
export function unitsAllowedNow(limits: ResellerLimits, unitsToday: number): number | null {
  const perDay = limits.maxUnitsPerDay === null ? null : Math.max(0, limits.maxUnitsPerDay - unitsToday);
  if (perDay === null) return limits.maxUnitsPerOrder;
  return limits.maxUnitsPerOrder === null ? perDay : Math.min(perDay, limits.maxUnitsPerOrder);
}

/** The start of the UTC day `now` is in: the daily limit's window. */
export function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
