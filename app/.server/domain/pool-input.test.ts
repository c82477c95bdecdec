import { describe, expect, it } from "vitest";
import { PoolInput, PoolPatch, toMinorUnits } from "./pool-input.ts";

describe("pool input", () => {
  it("accepts a full pool and normalises it", () => {
    const v = PoolInput.parse({
      name: "  Steam $20  ",
      sku: "STEAM-20",
      lowStockThreshold: "25",
      defaultCost: "17.5",
      currency: "usd",
      formatRegex: "^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$",
      caseInsensitive: "true",
      refundPolicy: "return_if_unseen",
    });
    expect(v).toMatchObject({ name: "Steam $20", lowStockThreshold: 25, defaultCost: "17.5", currency: "USD", caseInsensitive: true, refundPolicy: "return_if_unseen", notes: null });
  });

  it("rejects each bad field with its catalog code", () => {
    const codes = (input: object) => PoolInput.safeParse({ name: "x", ...input }).error?.issues.map((i) => i.message);
    expect(codes({ name: "" })).toEqual(["pool_name"]);
    expect(codes({ lowStockThreshold: -1 })).toEqual(["pool_low_stock"]);
    expect(codes({ lowStockThreshold: 1.5 })).toEqual(["pool_low_stock"]);
    expect(codes({ defaultCost: "12,50" })).toEqual(["pool_cost"]);
    expect(codes({ currency: "dollars" })).toEqual(["pool_currency"]);
    expect(codes({ formatRegex: "([A-Z" })).toEqual(["pool_format"]);
    expect(codes({ refundPolicy: "keep" })).toEqual(["pool_refund_policy"]);
  });

  it("a patch changes only what it names: no defaults fill in", () => {
    expect(PoolPatch.parse({ name: "Renamed" })).toEqual({ name: "Renamed" });
    expect(PoolPatch.parse({ currency: "" })).toEqual({ currency: null });
  });

  it("reads checkbox and string booleans the way a form means them", () => {
    const v = (x: unknown) => PoolInput.parse({ name: "x", caseInsensitive: x }).caseInsensitive;
    expect([v("on"), v("true"), v(true), v("1")]).toEqual([true, true, true, true]);
    expect([v("false"), v(""), v(false), v("0"), v(undefined)]).toEqual([false, false, false, false, false]);
    expect(PoolInput.safeParse({ name: "x", caseInsensitive: "maybe" }).success).toBe(false);
  });

  it("converts decimals to minor units exactly", () => {
    expect(toMinorUnits("17.5")).toBe(1750);
    expect(toMinorUnits("0.07")).toBe(7);
    expect(toMinorUnits("1200", 0)).toBe(1200);
    expect(toMinorUnits("19.99")).toBe(1999);
    expect(() => toMinorUnits("1.234")).toThrow();
  });
});
