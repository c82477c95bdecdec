import { describe, expect, it } from "vitest";
import { currencyExponent, toMinorUnits } from "./money.ts";

describe("toMinorUnits", () => {
  it("uses the currency's ISO exponent", () => {
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("jpy")).toBe(0);
    expect(currencyExponent("KWD")).toBe(3);
    expect(currencyExponent(null)).toBe(2);
    expect(toMinorUnits("10.00", "USD")).toBe(1000);
    expect(toMinorUnits("1500", "JPY")).toBe(1500);
    expect(toMinorUnits("1500.00", "JPY")).toBe(1500);
    expect(toMinorUnits("1.234", "KWD")).toBe(1234);
  });

  it("rounds half away from zero from the decimal text, never through floats", () => {
    expect(toMinorUnits("0.125", "EUR")).toBe(13);
    expect(toMinorUnits("-0.125", "EUR")).toBe(-13);
    expect(toMinorUnits("1.005", "USD")).toBe(101); // 1.005 * 100 in floats is 100.49999…
    expect(toMinorUnits("99.5", "JPY")).toBe(100);
    expect(toMinorUnits(3.3333333333, "USD")).toBe(333);
    expect(toMinorUnits(12.5, "USD")).toBe(1250);
    expect(toMinorUnits(".5", "USD")).toBe(50);
  });

  it("gives null for missing or non-numeric amounts", () => {
    expect(toMinorUnits(null, "USD")).toBeNull();
    expect(toMinorUnits("", "USD")).toBeNull();
    expect(toMinorUnits("abc", "USD")).toBeNull();
    expect(toMinorUnits("-", "USD")).toBeNull();
    expect(toMinorUnits(Number.NaN, "USD")).toBeNull();
  });
});
