import { describe, expect, it } from "vitest";
import { parseQueryCost, retryAfterHeaderMs, ThrottleGate, throttledRetryAfterMs, waitForCostMs } from "./throttle.ts";

const status = { maximumAvailable: 2000, currentlyAvailable: 100, restoreRate: 100 };

describe("throttle", () => {
  it("waits exactly until the bucket holds the cost", () => {
    expect(waitForCostMs(status, 50)).toBe(0);
    expect(waitForCostMs(status, 300)).toBe(2000);
    expect(waitForCostMs(status, 300, 1500)).toBe(500);
    expect(waitForCostMs(status, 5000)).toBe(19_000); // never more than a full bucket
  });

  it("computes a THROTTLED answer's wait from its cost extension", () => {
    const cost = parseQueryCost({ cost: { requestedQueryCost: 752, actualQueryCost: null, throttleStatus: { maximumAvailable: 1000.0, currentlyAvailable: 666, restoreRate: 50.0 } } });
    expect(cost?.throttleStatus?.currentlyAvailable).toBe(666);
    expect(throttledRetryAfterMs(cost)).toBe(1720);
    expect(throttledRetryAfterMs(null)).toBe(1000);
  });

  it("reads Retry-After as seconds or a date", () => {
    expect(retryAfterHeaderMs("2.0")).toBe(2000);
    expect(retryAfterHeaderMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000);
    expect(retryAfterHeaderMs(null)).toBeNull();
    expect(retryAfterHeaderMs("soon")).toBeNull();
  });

  it("paces an operation by its last cost and reserves it for concurrent callers", () => {
    const gate = new ThrottleGate();
    expect(gate.reserve("order", 0)).toBe(0); // nothing known yet
    gate.observe("order", { requestedQueryCost: 500, actualQueryCost: 400, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 600, restoreRate: 100 } }, 0);
    expect(gate.reserve("order", 0)).toBe(0); // 600 ≥ 500: go, 100 left
    expect(gate.reserve("order", 0)).toBe(4000); // the second caller waits for 400 more points
    expect(gate.reserve("order", 4000)).toBe(5000); // and the third behind it
  });
});
