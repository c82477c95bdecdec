import { describe, expect, it } from "vitest";
import { checkLimits, unitsAllowedNow, utcDayStart } from "./reseller-limits.ts";

describe("reseller limits", () => {
  it("refuses an order above the per-order limit", () => {
    expect(checkLimits({ maxUnitsPerOrder: 5, maxUnitsPerDay: null }, 5, 0)).toBeNull();
    expect(checkLimits({ maxUnitsPerOrder: 5, maxUnitsPerDay: null }, 6, 0)).toBe("order_limit_exceeded");
  });
  it("counts today's units against the daily limit", () => {
    expect(checkLimits({ maxUnitsPerOrder: null, maxUnitsPerDay: 10 }, 3, 7)).toBeNull();
    expect(checkLimits({ maxUnitsPerOrder: null, maxUnitsPerDay: 10 }, 4, 7)).toBe("daily_limit_exceeded");
    expect(checkLimits({ maxUnitsPerOrder: null, maxUnitsPerDay: null }, 10_000, 10_000)).toBeNull();
  });
  it("says how many units one order may still take", () => {
    expect(unitsAllowedNow({ maxUnitsPerOrder: 5, maxUnitsPerDay: 10 }, 8)).toBe(2);
    expect(unitsAllowedNow({ maxUnitsPerOrder: 5, maxUnitsPerDay: 10 }, 0)).toBe(5);
    expect(unitsAllowedNow({ maxUnitsPerOrder: null, maxUnitsPerDay: 10 }, 12)).toBe(0);
    expect(unitsAllowedNow({ maxUnitsPerOrder: null, maxUnitsPerDay: null }, 12)).toBeNull();
  });
  it("the day is the UTC day", () => {
    expect(utcDayStart(new Date("2026-12-07T23:59:59.999+08:00")).toISOString()).toBe("2026-12-07T00:00:00.000Z");
  });
});
