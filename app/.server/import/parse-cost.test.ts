import { describe, expect, it } from "vitest";
import { parseCost } from "./parse-cost.ts";

describe("parseCost", () => {
  it("turns decimals into integer minor units", () => {
    expect(parseCost("12.5", 2)).toBe(1250);
    expect(parseCost("12.50", 2)).toBe(1250);
    expect(parseCost("12", 2)).toBe(1200);
    expect(parseCost("0.07", 2)).toBe(7);
    expect(parseCost("0", 2)).toBe(0);
    expect(parseCost("1,234.50", 2)).toBe(123450);
    expect(parseCost("1,234,567", 2)).toBe(123456700);
    expect(parseCost("1200", 0)).toBe(1200);
    expect(parseCost("1.5", 3)).toBe(1500);
  });

  it("accepts extra fraction digits only when they are zeros", () => {
    expect(parseCost("12.500", 2)).toBe(1250);
    expect(parseCost("1200.00", 0)).toBe(1200);
    expect(parseCost("12.345", 2)).toBeNull();
    expect(parseCost("1200.5", 0)).toBeNull();
  });

  it("rejects negatives, signs, symbols, bad separators and overflow", () => {
    for (const bad of ["-1", "-0.5", "+1", "$12", "12 USD", "1e3", "12.", ".5", "1,23", "12,34.5", "1.234,50", "abc", "", "9007199254740992"]) {
      expect(parseCost(bad, 2), bad).toBeNull();
    }
    expect(parseCost("90071992547409.91", 2)).toBe(9007199254740991);
  });
});
