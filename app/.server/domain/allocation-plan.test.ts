import { describe, expect, it } from "vitest";
import { orderFulfilment, planLine, wantedUnits, type PlanUnit } from "./allocation-plan.ts";
import { decideRelease } from "./refund-policy.ts";

const units = (...s: [number, PlanUnit["status"]][]): PlanUnit[] => s.map(([unitIndex, status]) => ({ unitIndex, status }));

describe("planLine", () => {
  it("claims every unit of a new paid line: quantity × units per item", () => {
    expect(planLine({ quantity: 2, refundedQuantity: 0, unitsPerItem: 3, orderWantsKeys: true, units: [] })).toEqual({ claim: [0, 1, 2, 3, 4, 5], release: [] });
  });

  it("is a no-op when every unit already has a row (a second run of the same order)", () => {
    expect(planLine({ quantity: 2, refundedQuantity: 0, unitsPerItem: 1, orderWantsKeys: true, units: units([0, "allocated"], [1, "backordered"]) })).toEqual({ claim: [], release: [] });
  });

  it("claims only the units still missing", () => {
    expect(planLine({ quantity: 3, refundedQuantity: 0, unitsPerItem: 1, orderWantsKeys: true, units: units([0, "allocated"]) }).claim).toEqual([1, 2]);
  });

  it("releases a refunded item's units, backorders before keys, newest unit first", () => {
    const plan = planLine({ quantity: 3, refundedQuantity: 1, unitsPerItem: 1, orderWantsKeys: true, units: units([0, "allocated"], [1, "allocated"], [2, "allocated"]) });
    expect(plan).toEqual({ claim: [], release: [{ unitIndex: 2, status: "allocated" }] });
    const withBackorder = planLine({ quantity: 3, refundedQuantity: 2, unitsPerItem: 1, orderWantsKeys: true, units: units([0, "allocated"], [1, "backordered"], [2, "allocated"]) });
    expect(withBackorder.release).toEqual([{ unitIndex: 1, status: "backordered" }, { unitIndex: 2, status: "allocated" }]);
  });

  it("releases every live unit of a cancelled order and claims nothing", () => {
    const plan = planLine({ quantity: 2, refundedQuantity: 0, unitsPerItem: 2, orderWantsKeys: false, units: units([0, "allocated"], [1, "allocated"], [2, "backordered"], [3, "revoked"]) });
    expect(plan.claim).toEqual([]);
    expect(plan.release.map((u) => u.unitIndex)).toEqual([2, 1, 0]);
  });

  it("never reuses a released unit and never claims past the line's size", () => {
    // 2 items, 1 refunded and released at unit 1; the refund stays (refunds are cumulative).
    expect(planLine({ quantity: 2, refundedQuantity: 1, unitsPerItem: 1, orderWantsKeys: true, units: units([0, "allocated"], [1, "revoked"]) })).toEqual({ claim: [], release: [] });
    // A stale payload that says nothing was refunded cannot bring unit 1 back.
    expect(planLine({ quantity: 2, refundedQuantity: 0, unitsPerItem: 1, orderWantsKeys: true, units: units([0, "allocated"], [1, "revoked"]) }).claim).toEqual([]);
  });

  it("does not allocate units refunded before the order was first seen", () => {
    expect(planLine({ quantity: 3, refundedQuantity: 2, unitsPerItem: 2, orderWantsKeys: true, units: [] }).claim).toEqual([0, 1]);
  });
});

describe("wantedUnits", () => {
  it("clamps a refund larger than the line", () => {
    expect(wantedUnits({ quantity: 1, refundedQuantity: 5, unitsPerItem: 1, orderWantsKeys: true })).toBe(0);
  });
});

describe("orderFulfilment", () => {
  it("is allocated, partially allocated or none", () => {
    expect(orderFulfilment([{ wanted: 2, allocated: 2, backordered: 0 }])).toBe("allocated");
    expect(orderFulfilment([{ wanted: 2, allocated: 1, backordered: 1 }])).toBe("partially_allocated");
    expect(orderFulfilment([{ wanted: 0, allocated: 0, backordered: 0 }])).toBe("none");
  });
});

describe("decideRelease", () => {
  it("drops a backorder whatever the policy", () => {
    expect(decideRelease("backordered", null, "revoke")).toEqual({ unit: "dropped", key: null });
    expect(decideRelease("backordered", null, "return_if_unseen")).toEqual({ unit: "dropped", key: null });
  });
  it("revokes under the revoke policy, seen or not", () => {
    expect(decideRelease("allocated", "allocated", "revoke")).toEqual({ unit: "revoked", key: "revoke" });
    expect(decideRelease("allocated", "delivered", "revoke")).toEqual({ unit: "revoked", key: "revoke" });
  });
  it("returns an unseen key to stock only under return_if_unseen", () => {
    expect(decideRelease("allocated", "allocated", "return_if_unseen")).toEqual({ unit: "returned", key: "return_to_stock" });
    expect(decideRelease("allocated", "delivered", "return_if_unseen")).toEqual({ unit: "revoked", key: "revoke" });
  });
});
