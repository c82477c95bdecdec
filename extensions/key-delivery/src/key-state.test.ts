import { describe, expect, it } from "vitest";
import { advance, classify, DEFAULT_POLICY, initialState, numericOrderId, viewOf, type KeyLine, type Outcome, type PollState } from "./key-state.ts";

const line = (over: Partial<KeyLine> = {}): KeyLine => ({ title: "Game card", keys: [{ code: "AAAA-1111", fields: {} }], hiddenKeys: 0, pendingUnits: 0, ...over });

/** Feeds outcomes in order; returns every state and delay. */
function run(outcomes: Outcome[]) {
  let state: PollState = initialState;
  const delays: (number | null)[] = [];
  for (const o of outcomes) {
    const r = advance(state, o);
    state = r.state;
    delays.push(r.retryInMs);
    if (r.retryInMs === null) break;
  }
  return { state, delays };
}

describe("key delivery states", () => {
  it("starts loading", () => {
    expect(initialState.view).toEqual({ kind: "loading" });
  });

  it("loading → delivered when the keys are ready; polling stops", () => {
    const { state, delays } = run([{ kind: "not_found" }, { kind: "pending" }, { kind: "ready", lines: [line()] }]);
    expect(state.view).toEqual({ kind: "delivered", lines: [line()] });
    expect(delays).toEqual([1000, 1500, null]);
  });

  it("polls with back-off, then after about a minute says the keys will arrive by email", () => {
    const { state, delays } = run(Array.from({ length: 30 }, () => ({ kind: "pending" }) as Outcome));
    expect(state.view).toEqual({ kind: "timeout" });
    const waits = delays.filter((d): d is number => d !== null);
    expect(waits.slice(0, 7)).toEqual(DEFAULT_POLICY.delaysMs);
    // Non-decreasing, never past the limit, and most of the minute used.
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    const total = waits.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(60_000);
    expect(total).toBeGreaterThan(50_000);
    expect(delays.at(-1)).toBeNull();
  });

  it("backordered when no key has arrived yet and every unit waits for stock", () => {
    const { state } = run([{ kind: "ready", lines: [line({ keys: [], pendingUnits: 2 })] }]);
    expect(state.view).toEqual({ kind: "backordered", lines: [line({ keys: [], pendingUnits: 2 })] });
  });

  it("delivered (with the waiting units) when some keys are there", () => {
    const lines = [line({ pendingUnits: 1 }), line({ title: "Other", keys: [], pendingUnits: 3 })];
    expect(viewOf(lines)).toEqual({ kind: "delivered", lines });
  });

  it("keys behind a reveal button count as delivered, not backordered", () => {
    expect(viewOf([line({ keys: [], hiddenKeys: 2 })]).kind).toBe("delivered");
  });

  it("an order with nothing left (all refunded) shows nothing", () => {
    expect(viewOf([line({ keys: [] })])).toEqual({ kind: "delivered", lines: [] });
  });

  it("error after three failures in a row; a success in between resets the count", () => {
    expect(run([{ kind: "failed" }, { kind: "failed" }, { kind: "failed" }]).state.view).toEqual({ kind: "error" });
    const mixed = run([{ kind: "failed" }, { kind: "failed" }, { kind: "pending" }, { kind: "failed" }, { kind: "failed" }, { kind: "ready", lines: [line()] }]);
    expect(mixed.state.view.kind).toBe("delivered");
  });

  it("honours Retry-After on 429", () => {
    const r = advance(initialState, { kind: "rate_limited", retryAfterSeconds: 7 });
    expect(r.retryInMs).toBe(7000);
    expect(r.state.view.kind).toBe("loading");
  });

  it("classifies answers", () => {
    expect(classify(200, { status: "pending", lines: [] }, null)).toEqual({ kind: "pending" });
    expect(classify(200, { status: "ready", lines: [line(), { junk: true }] }, null)).toEqual({ kind: "ready", lines: [line()] });
    expect(classify(200, "oops", null)).toEqual({ kind: "failed" });
    expect(classify(404, { error: "order_not_found" }, null)).toEqual({ kind: "not_found" });
    expect(classify(429, null, "12")).toEqual({ kind: "rate_limited", retryAfterSeconds: 12 });
    expect(classify(401, null, null)).toEqual({ kind: "failed" });
    expect(classify(0, null, null)).toEqual({ kind: "failed" });
    expect(classify(500, null, null)).toEqual({ kind: "failed" });
  });

  it("reads the numeric order id from both targets' gids", () => {
    expect(numericOrderId("gid://shopify/OrderIdentity/5000000000001")).toBe("5000000000001");
    expect(numericOrderId("gid://shopify/Order/5000000000001")).toBe("5000000000001");
    expect(numericOrderId("gid://shopify/Order/12?foo=bar")).toBe("12");
    expect(numericOrderId("gid://shopify/Customer/1")).toBeNull();
    expect(numericOrderId("gid://shopify/Order/../1")).toBeNull();
    expect(numericOrderId(undefined)).toBeNull();
  });
});
