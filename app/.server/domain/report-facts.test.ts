import { describe, expect, it } from "vitest";
import { addDays, bucketStart, checkRange, eachDay, localDay, presetRange, previousRange, splitIntoMonths } from "./report-day.ts";
import { computeOrderFacts, deliveryDelta, rollupDelta, spread, type FactOrder, type FactRow } from "./report-facts.ts";
import { maskBuyer, percentileOfCounts, seriesOf } from "./report-figures.ts";
import { medianOfCounts, summariseRepurchase } from "./report-repurchase.ts";
import { zeroMeasures } from "./report-facts.ts";

const AT = "2026-11-30T15:30:02.000Z";

const order: FactOrder = {
  id: "o1",
  accountId: "a1",
  storeId: "s1",
  platform: "shopify",
  resellerId: null,
  email: "Ann@Example.com",
  customerId: null,
  currency: "USD",
  status: "allocated",
  riskDecision: "none",
  placedAt: "2026-11-30T15:30:00.000Z",
  createdAt: "2026-11-30T15:30:01.000Z",
};

describe("report days", () => {
  it("an order at 23:30 in Shanghai belongs to that local day", () => {
    expect(localDay("2026-11-30T15:30:00Z", "Asia/Shanghai")).toBe("2026-11-30");
    expect(localDay("2026-11-30T16:30:00Z", "Asia/Shanghai")).toBe("2026-12-01");
    expect(localDay("2026-11-30T16:30:00Z", "America/Los_Angeles")).toBe("2026-11-30");
  });
  it("weeks start on Monday, months on the 1st; the previous period has the same length", () => {
    expect(bucketStart("2026-12-06", "week")).toBe("2026-11-30");
    expect(bucketStart("2026-12-06", "month")).toBe("2026-12-01");
    expect(previousRange({ from: "2026-11-01", to: "2026-11-30" })).toEqual({ from: "2026-10-02", to: "2026-10-31" });
    expect(presetRange("7d", "2026-12-07")).toEqual({ from: "2026-12-01", to: "2026-12-07" });
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
  });
  it("refuses dates that are not real, reversed ranges and ranges over two years, naming the field", () => {
    expect(() => checkRange("2026-02-30", "2026-03-01")).toThrow(expect.objectContaining({ field: "from", code: "report_invalid_day" }));
    expect(() => checkRange("2026-03-02", "2026-03-01")).toThrow(expect.objectContaining({ field: "to", code: "report_range_reversed" }));
    expect(() => checkRange("2020-01-01", "2026-03-01")).toThrow(expect.objectContaining({ code: "report_range_too_long" }));
  });
});

describe("ranges cut into whole months", () => {
  it("whole months plus the days at either end cover every day of the range exactly once", () => {
    expect(splitIntoMonths({ from: "2026-01-01", to: "2026-03-31" })).toEqual({ months: { from: "2026-01", to: "2026-03" }, days: [] });
    expect(splitIntoMonths({ from: "2026-01-15", to: "2026-03-02" })).toEqual({ months: { from: "2026-02", to: "2026-02" }, days: [{ from: "2026-01-15", to: "2026-01-31" }, { from: "2026-03-01", to: "2026-03-02" }] });
    expect(splitIntoMonths({ from: "2026-02-02", to: "2026-02-28" })).toEqual({ months: null, days: [{ from: "2026-02-02", to: "2026-02-28" }] });
    expect(splitIntoMonths({ from: "2024-02-01", to: "2024-02-29" }).months).toEqual({ from: "2024-02", to: "2024-02" });
    for (let i = 0; i < 400; i++) {
      const from = addDays("2024-01-01", (i * 37) % 800);
      const to = addDays(from, (i * 53) % 731);
      const { months, days } = splitIntoMonths({ from, to });
      const covered = days.flatMap((d) => eachDay(d.from, d.to));
      if (months) covered.push(...eachDay(`${months.from}-01`, to).filter((d) => d.slice(0, 7) <= months.to));
      expect(covered.sort(), `${from}..${to}`).toEqual(eachDay(from, to));
    }
  });
});

describe("order facts", () => {
  it("spreads a line's revenue over its units exactly", () => {
    expect(spread(1000, 3)).toEqual([334, 333, 333]);
    expect(spread(1000, 3).reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it("splits by key batch, takes the cost only in the order's currency, and counts the order once", () => {
    const rows = computeOrderFacts(
      order,
      [
        { id: "l1", poolId: "pA", quantity: 3, refundedQuantity: 1, unitPriceMinor: 1000, unitsPerItem: 1 },
        { id: "l2", poolId: "pB", quantity: 1, refundedQuantity: 0, unitPriceMinor: null, unitsPerItem: 2 },
      ],
      [
        { lineId: "l1", unitIndex: 0, status: "allocated", batchId: "b1", costMinor: 400, costCurrency: "USD", createdAt: AT, fulfilledAt: AT },
        { lineId: "l1", unitIndex: 1, status: "revoked", batchId: "b2", costMinor: 300, costCurrency: "CNY", createdAt: AT, fulfilledAt: AT },
        { lineId: "l1", unitIndex: 2, status: "backordered", batchId: null, costMinor: null, costCurrency: null, createdAt: AT, fulfilledAt: null },
        { lineId: "l2", unitIndex: 0, status: "allocated", batchId: "b3", costMinor: null, costCurrency: null, createdAt: AT, fulfilledAt: AT },
      ],
      "Asia/Shanghai",
    );
    const by = Object.fromEntries(rows.map((r) => [`${r.poolId}/${r.batchId}`, r]));
    expect(Object.keys(by).sort()).toEqual(["pA/", "pA/b1", "pA/b2", "pB/", "pB/b3"]);
    expect(by["pA/b1"]).toMatchObject({ units: 1, revenue_minor: 1000, cost_minor: 400, delivered_units: 1, day: "2026-11-30", buyer: "ann@example.com" });
    expect(by["pA/b2"]).toMatchObject({ units: 1, revoked_units: 1, cost_minor: 0, cost_unknown_units: 1, delivered_units: 0 });
    expect(by["pA/"]).toMatchObject({ units: 1, backordered_units: 1, refunded_units: 1, refunded_minor: 1000 });
    expect(by["pB/b3"]).toMatchObject({ units: 1, unpriced_units: 1, cost_unknown_units: 1 });
    expect(by["pB/"]).toMatchObject({ units: 1, unpriced_units: 1 });
    expect(rows.reduce((n, r) => n + r.orders_total, 0)).toBe(1);
    expect(rows.filter((r) => r.orders_with_pool === 1).map((r) => r.poolId)).toEqual(["pA", "pB"]);
  });

  it("ignored orders and denied orders count nothing; a held order's keys are not delivered", () => {
    const lines = [{ id: "l1", poolId: "pA", quantity: 1, refundedQuantity: 0, unitPriceMinor: 100, unitsPerItem: 1 }];
    const units = [{ lineId: "l1", unitIndex: 0, status: "allocated" as const, batchId: "b1", costMinor: 10, costCurrency: "USD", createdAt: AT, fulfilledAt: AT }];
    expect(computeOrderFacts({ ...order, status: "ignored" }, lines, units, "UTC")).toEqual([]);
    expect(computeOrderFacts({ ...order, riskDecision: "rejected" }, lines, units, "UTC")).toEqual([]);
    expect(computeOrderFacts({ ...order, riskDecision: "hold" }, lines, units, "UTC")[0]).toMatchObject({ units: 1, delivered_units: 0 });
  });

  it("the delta of a recomputed order moves only what changed, and an order moved to another account leaves its old rows", () => {
    const lines = [{ id: "l1", poolId: "pA", quantity: 2, refundedQuantity: 0, unitPriceMinor: 100, unitsPerItem: 1 }];
    const before = computeOrderFacts(order, lines, [], "UTC");
    const refunded = computeOrderFacts(order, [{ ...lines[0], refundedQuantity: 1 }], [], "UTC");
    const d = [...rollupDelta(before, refunded).values()];
    expect(d).toHaveLength(1);
    expect(d[0].delta).toMatchObject({ refunded_units: 1, refunded_minor: 100, units: 0 });
    const moved = computeOrderFacts({ ...order, accountId: "a2" }, lines, [], "UTC");
    const m = [...rollupDelta(before, moved).values()];
    expect(m.map((e) => [e.dims.accountId, e.delta.units])).toEqual([["a1", -2], ["a2", 2]]);
  });
});

describe("delivery and backorders", () => {
  it("times paid → last key for a fully delivered order, and counts units that waited on backorder", () => {
    const lines = [{ id: "l1", poolId: "pA", quantity: 2, refundedQuantity: 0, unitPriceMinor: 100, unitsPerItem: 1 }];
    const now = { lineId: "l1", unitIndex: 0, status: "allocated" as const, batchId: "b1", costMinor: 10, costCurrency: "USD", createdAt: "2026-11-30T15:30:03.000Z", fulfilledAt: "2026-11-30T15:30:03.000Z" };
    const waiting = { ...now, unitIndex: 1, status: "backordered" as const, batchId: null, fulfilledAt: null };
    const [open] = computeOrderFacts(order, lines, [now, waiting], "UTC").filter((r) => r.orders_total === 1);
    expect(open.deliveryS).toBeNull();
    const filled = { ...waiting, status: "allocated" as const, batchId: "b1", fulfilledAt: "2026-11-30T17:30:03.000Z" };
    const rows = computeOrderFacts(order, lines, [now, filled], "UTC");
    expect(rows.find((r) => r.orders_total === 1)?.deliveryS).toBe(2 * 3600 + 3);
    expect(rows.reduce((n, r) => n + r.backorders_opened, 0)).toBe(1);
    expect(rows.reduce((n, r) => n + r.backorders_filled, 0)).toBe(1);
    expect(rows.reduce((n, r) => n + r.backorder_wait_s, 0)).toBe(7200);
  });
});

describe("figures", () => {
  it("series have every bucket, and buyers are masked", () => {
    const m = { ...zeroMeasures(), units: 2 };
    const s = seriesOf([{ day: "2026-12-02", measures: m }], { from: "2026-11-30", to: "2026-12-08" }, "week");
    expect(s.map((p) => [p.start, p.measures.units])).toEqual([["2026-11-30", 2], ["2026-12-07", 0]]);
    expect(maskBuyer("ann@example.com")).toBe("a***@example.com");
  });

  it("repurchase: the share of buyers who bought again and the median days between purchases per pool, from the range's counts", () => {
    const r = summariseRepurchase(
      [
        { poolId: "", buyers: 3, repeatBuyers: 1 },
        { poolId: "pA", buyers: 2, repeatBuyers: 1 },
        { poolId: "pB", buyers: 1, repeatBuyers: 0 },
        { poolId: "pC", buyers: 0, repeatBuyers: 0 },
      ],
      [
        { poolId: "pA", gapDays: 6, count: 1 },
        { poolId: "pA", gapDays: 13, count: 1 },
      ],
      [{ buyer: "a", orders: 3, units: 3, firstDay: "2026-11-01", lastDay: "2026-11-22" }],
    );
    expect(r).toMatchObject({ buyers: 3, repeatBuyers: 1, repeatShare: 0.3333 });
    expect(r.pools.map((x) => x.poolId)).toEqual(["pA", "pB"]);
    expect(r.pools[0]).toMatchObject({ buyers: 2, repeatBuyers: 1, medianDaysBetween: 9.5, gaps: 2 });
    expect(r.pools[1]).toMatchObject({ medianDaysBetween: null, gaps: 0 });
    expect(summariseRepurchase([], [], []).repeatShare).toBeNull();
  });

  it("percentiles of counted values are the nearest-rank percentiles of the values written out", () => {
    const nearestRank = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
    expect(percentileOfCounts([], 50)).toBeNull();
    for (let i = 1; i < 60; i++) {
      const counts = Array.from({ length: 1 + (i % 7) }, (_, j) => ({ value: (j * 37 + i) % 50, count: (i * (j + 3)) % 5 }));
      const values = counts.flatMap((c) => Array.from({ length: c.count }, () => c.value));
      for (const p of [0, 50, 95, 100]) expect(percentileOfCounts(counts, p), `${i} p${p}`).toBe(values.length ? nearestRank(values, p) : null);
    }
  });

  it("an order's delivery time is counted once, moved when it changes, and dropped while a key waits", () => {
    const row = (deliveryS: number | null, ordersTotal = 1, day = "2026-12-01") => ({ accountId: "a", day, deliveryS, orders_total: ordersTotal }) as unknown as FactRow;
    expect(deliveryDelta([], [row(3), row(3, 0)])).toEqual([{ accountId: "a", day: "2026-12-01", seconds: 3, orders: 1 }]);
    expect(deliveryDelta([row(3)], [row(3)])).toEqual([]);
    expect(deliveryDelta([row(3)], [row(null)])).toEqual([{ accountId: "a", day: "2026-12-01", seconds: 3, orders: -1 }]);
    expect(deliveryDelta([row(3)], [row(9, 1, "2026-12-02")])).toEqual([
      { accountId: "a", day: "2026-12-01", seconds: 3, orders: -1 },
      { accountId: "a", day: "2026-12-02", seconds: 9, orders: 1 },
    ]);
  });

  it("the median of counted values is the median of the values written out", () => {
    expect(medianOfCounts([])).toBeNull();
    expect(medianOfCounts([{ value: 4, count: 0 }])).toBeNull();
    expect(medianOfCounts([{ value: 7, count: 3 }])).toBe(7);
    expect(medianOfCounts([{ value: 9, count: 1 }, { value: 1, count: 1 }])).toBe(5);
    // 1, 2, 2, 2, 9, 9 → (2 + 2) / 2; 1, 2, 2, 2, 9, 9, 9, 9 → (2 + 9) / 2
    expect(medianOfCounts([{ value: 9, count: 2 }, { value: 2, count: 3 }, { value: 1, count: 1 }])).toBe(2);
    expect(medianOfCounts([{ value: 9, count: 4 }, { value: 2, count: 3 }, { value: 1, count: 1 }])).toBe(5.5);
  });
});
