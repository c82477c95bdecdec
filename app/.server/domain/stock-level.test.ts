import { describe, expect, it } from "vitest";
import { hostQuantity, mappingAfterFailure, needsWrite, sameStock, shouldDefer, syncSlot } from "./stock-level.ts";

describe("stock levels", () => {
  it("is floor(available / units per item)", () => {
    expect(hostQuantity({ available: 10, backordersWaiting: false }, 1)).toBe(10);
    expect(hostQuantity({ available: 10, backordersWaiting: false }, 3)).toBe(3);
    expect(hostQuantity({ available: 2, backordersWaiting: false }, 3)).toBe(0);
    expect(hostQuantity({ available: 0, backordersWaiting: false }, 1)).toBe(0);
  });

  it("is 0 while backorders wait, whatever is in stock", () => {
    expect(hostQuantity({ available: 500, backordersWaiting: true }, 1)).toBe(0);
  });

  it("never goes negative or divides by a bad unit count", () => {
    expect(hostQuantity({ available: -3, backordersWaiting: false }, 1)).toBe(0);
    expect(hostQuantity({ available: 7, backordersWaiting: false }, 0)).toBe(7);
  });

  it("compares pool stock by what decides the host quantity", () => {
    expect(sameStock({ available: 3, backordersWaiting: false }, { available: 3, backordersWaiting: false })).toBe(true);
    expect(sameStock({ available: 3, backordersWaiting: false }, { available: 3, backordersWaiting: true })).toBe(false);
  });
});

describe("coalescing windows", () => {
  it("gives every moment of one window the same slot, run half a window after it closes", () => {
    const a = syncSlot(10_000, 2_000);
    const b = syncSlot(11_999, 2_000);
    expect(a).toEqual(b);
    expect(a).toEqual({ window: 5, runAtMs: 13_000 });
    expect(syncSlot(12_000, 2_000).window).toBe(6);
  });

  it("never runs a sync before the change that asked for it, and within 1.5 windows", () => {
    for (const now of [0, 1, 999, 1_000, 1_999, 123_456]) {
      const { runAtMs } = syncSlot(now, 1_000);
      expect(runAtMs).toBeGreaterThan(now);
      expect(runAtMs - now).toBeLessThanOrEqual(1_500);
    }
  });
});

describe("which mappings to write", () => {
  it("writes what changed since the last sync, and what failed last time", () => {
    expect(needsWrite({ lastSyncedQuantity: 5, lastSyncError: null }, 5)).toBe(false);
    expect(needsWrite({ lastSyncedQuantity: 5, lastSyncError: null }, 4)).toBe(true);
    expect(needsWrite({ lastSyncedQuantity: null, lastSyncError: null }, 0)).toBe(true);
    expect(needsWrite({ lastSyncedQuantity: 5, lastSyncError: "429" }, 5)).toBe(true);
  });
});

describe("failed items", () => {
  it("a deleted or refused item breaks its mapping; a store-wide setting flags the store; a busy host retries", () => {
    expect(mappingAfterFailure("not_found")).toEqual({ status: "broken", retry: false, storeAttention: null });
    expect(mappingAfterFailure("invalid").status).toBe("broken");
    expect(mappingAfterFailure("not_managed")).toEqual({ status: "active", retry: false, storeAttention: "manage_stock_off" });
    expect(mappingAfterFailure("retryable")).toEqual({ status: "active", retry: true, storeAttention: null });
  });
});

describe("one sync per pool at a time", () => {
  it("the later sync steps aside while an earlier one runs; the earlier goes on", () => {
    expect(shouldDefer(7, [3])).toBe(true);
    expect(shouldDefer(3, [7])).toBe(false);
    expect(shouldDefer(3, [])).toBe(false);
  });
});
