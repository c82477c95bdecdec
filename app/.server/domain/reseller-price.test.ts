import { describe, expect, it } from "vitest";
import { formatAmount, parseAmount, parseDiscount, resellerUnitPrice } from "./reseller-price.ts";

describe("reseller price", () => {
  it("uses the pool's own price over any discount", () => {
    expect(resellerUnitPrice({ priceMinor: 1250, discountBps: 5000 }, { listPriceMinor: 2000, currency: "USD" }, "USD")).toBe(1250);
  });
  it("takes a discount from the list price, rounded to the minor unit", () => {
    expect(resellerUnitPrice({ priceMinor: null, discountBps: 1500 }, { listPriceMinor: 999, currency: "USD" }, "USD")).toBe(849);
    expect(resellerUnitPrice({ priceMinor: null, discountBps: 0 }, { listPriceMinor: 999, currency: "USD" }, "USD")).toBe(999);
  });
  it("cannot price a discount without a list price or in another currency", () => {
    expect(resellerUnitPrice({ priceMinor: null, discountBps: 1500 }, { listPriceMinor: null, currency: "USD" }, "USD")).toBeNull();
    expect(resellerUnitPrice({ priceMinor: null, discountBps: 1500 }, { listPriceMinor: 999, currency: "EUR" }, "USD")).toBeNull();
    expect(resellerUnitPrice({ priceMinor: null, discountBps: null }, { listPriceMinor: 999, currency: "USD" }, "USD")).toBeNull();
  });
  it("parses amounts into integer minor units by the currency's digits", () => {
    expect(parseAmount("12.50", "USD")).toBe(1250);
    expect(parseAmount("12.5", "USD")).toBe(1250);
    expect(parseAmount("500", "USD")).toBe(50000);
    expect(parseAmount("0.1", "USD")).toBe(10);
    expect(parseAmount("1200", "JPY")).toBe(1200);
    expect(parseAmount("1.5", "JPY")).toBeNull();
    expect(parseAmount("1.234", "KWD")).toBe(1234);
    expect(parseAmount("12.505", "USD")).toBeNull();
    expect(parseAmount("-3", "USD")).toBeNull();
    expect(parseAmount("-3", "USD", { allowNegative: true })).toBe(-300);
    expect(parseAmount("abc", "USD")).toBeNull();
    expect(parseAmount("1e3", "USD")).toBeNull();
  });
  it("formats minor units back", () => {
    expect(formatAmount(1250, "USD")).toBe("12.50");
    expect(formatAmount(-5, "USD")).toBe("-0.05");
    expect(formatAmount(1200, "JPY")).toBe("1200");
  });
  it("parses discounts as basis points", () => {
    expect(parseDiscount("15%")).toBe(1500);
    expect(parseDiscount("12.5%")).toBe(1250);
    expect(parseDiscount("100%")).toBe(10000);
    expect(parseDiscount("101%")).toBeNull();
    expect(parseDiscount("15")).toBeNull();
  });
});
