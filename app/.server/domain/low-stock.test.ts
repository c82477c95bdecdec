import { describe, expect, it } from "vitest";
import { lowStockChange } from "./low-stock.ts";

describe("low-stock alerts", () => {
  it("alerts once when crossing below, re-arms only after a restock", () => {
    expect(lowStockChange({ available: 9, threshold: 10, alerted: false })).toBe("alert");
    expect(lowStockChange({ available: 3, threshold: 10, alerted: true })).toBe("none");
    expect(lowStockChange({ available: 10, threshold: 10, alerted: true })).toBe("clear");
    expect(lowStockChange({ available: 50, threshold: 10, alerted: false })).toBe("none");
  });

  it("is off with a threshold of 0", () => {
    expect(lowStockChange({ available: 0, threshold: 0, alerted: false })).toBe("none");
    expect(lowStockChange({ available: 0, threshold: 0, alerted: true })).toBe("clear");
  });
});
