import { describe, expect, it } from "vitest";
import { decideWithHostRisk, hostRiskMatters, hostRiskRevisedReason, hostRiskValue, nextCheckDelayMs, revisedHostRiskOf, riskAssessmentOf } from "./host-risk.ts";
import { DEFAULT_RULES, parseRuleInput, type OrderFacts, type RuleSet } from "./risk-rules.ts";

function facts(over: Partial<OrderFacts> = {}): OrderFacts {
  return {
    email: "li@example.com",
    customerId: null,
    ip: "203.0.113.7",
    ipCountry: null,
    billingCountry: "CN",
    totalMinor: 2000,
    currency: "USD",
    keys: 1,
    firstOrder: false,
    disposableEmail: false,
    platform: "shopify",
    storeId: "st1",
    poolIds: ["p1"],
    hostRisk: "PENDING",
    velocity: {},
    listHits: [],
    ...over,
  };
}

const defaults: RuleSet = { version: 1, rules: DEFAULT_RULES.map((d, i) => ({ id: `d${i}`, ...parseRuleInput(d) })) };
const set = (...rules: { when: string; then: string; shadow?: boolean }[]): RuleSet => ({ version: 3, rules: rules.map((r, i) => ({ id: `r${i}`, ...parseRuleInput(r) })) });

describe("host risk: what a reading means", () => {
  it("PENDING until the analysis is finished; a finished one gives its recommendation, none → NONE", () => {
    expect(hostRiskValue({ state: "pending", recommendation: "accept" })).toBe("PENDING");
    expect(hostRiskValue({ state: "known", recommendation: "cancel" })).toBe("CANCEL");
    expect(hostRiskValue({ state: "known", recommendation: null })).toBe("NONE");
  });
});

describe("hostRiskMatters", () => {
  it("the default rules read Shopify's CANCEL: an ordinary order waits for it", () => {
    expect(hostRiskMatters(defaults, facts())).toBe(true);
  });
  it("nothing to wait for when no live rule reads host risk, or a rule decides before it", () => {
    expect(hostRiskMatters(set({ when: "keys > 5", then: "review" }), facts())).toBe(false);
    expect(hostRiskMatters(set({ when: "host_risk = CANCEL", then: "review", shadow: true }), facts())).toBe(false);
    const allowListed = facts({ listHits: [{ entryId: "e", kind: "email", action: "allow", value: "li@example.com" }] });
    expect(hostRiskMatters(defaults, allowListed)).toBe(false);
    const blocked = facts({ listHits: [{ entryId: "e", kind: "email", action: "block", value: "li@example.com" }] });
    expect(hostRiskMatters(defaults, blocked)).toBe(false);
  });
  it("an allow rule on ACCEPT makes a review-held order depend on it too", () => {
    expect(hostRiskMatters(set({ when: "host_risk = ACCEPT", then: "allow" }, { when: "keys > 0", then: "review" }), facts())).toBe(true);
  });
});

describe("decideWithHostRisk", () => {
  it("a known value decides by the rules", () => {
    expect(decideWithHostRisk(defaults, facts(), "ACCEPT", "review")).toMatchObject({ verdict: { action: "allow" }, hostRiskUnavailable: false, facts: { hostRisk: "ACCEPT" } });
    expect(decideWithHostRisk(defaults, facts(), "CANCEL", "allow").verdict.action).toBe("review");
  });
  it("PENDING or unavailable never counts as low risk: fallback review holds; allow lets the rules decide without it", () => {
    const held = decideWithHostRisk(defaults, facts(), "PENDING", "review");
    expect(held).toMatchObject({ verdict: { action: "review", decidedBy: null }, hostRiskUnavailable: true, facts: { hostRisk: "UNAVAILABLE" } });
    const allowed = decideWithHostRisk(defaults, facts(), "UNAVAILABLE", "allow");
    expect(allowed).toMatchObject({ verdict: { action: "allow" }, hostRiskUnavailable: true });
    const blocked = facts({ listHits: [{ entryId: "e", kind: "email", action: "block", value: "li@example.com" }] });
    expect(decideWithHostRisk(defaults, blocked, "UNAVAILABLE", "allow").verdict.action).toBe("block");
    // A rule that matches UNAVAILABLE itself still decides.
    expect(decideWithHostRisk(set({ when: "host_risk = UNAVAILABLE", then: "block" }), facts(), "UNAVAILABLE", "review").verdict.action).toBe("block");
  });
});

describe("nextCheckDelayMs", () => {
  const since = new Date("2026-12-07T10:00:00Z");
  const at = (s: number) => new Date(since.getTime() + s * 1000);
  it("backs off 5 s, 10 s, 20 s, 40 s, then a minute at most", () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => nextCheckDelayMs(n, since, at(0), 10))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });
  it("the last read lands on the limit; after it, decide now", () => {
    expect(nextCheckDelayMs(7, since, at(590), 10)).toBe(10_000);
    expect(nextCheckDelayMs(7, since, at(600), 10)).toBeNull();
    expect(nextCheckDelayMs(1, since, at(61), 1)).toBeNull();
  });
});

describe("a held order decided again on Shopify's revised risk", () => {
  it("its system reason round-trips; a person's reason (even one that looks alike) is not one", () => {
    for (const v of ["ACCEPT", "INVESTIGATE", "CANCEL", "NONE"] as const) expect(revisedHostRiskOf(hostRiskRevisedReason(v))).toBe(v);
    expect(revisedHostRiskOf("host risk revised: MAYBE")).toBeNull();
    expect(revisedHostRiskOf("looks fine to me")).toBeNull();
    expect(revisedHostRiskOf(null)).toBeNull();
  });
  it("the verdict written to Shopify says the revision decided it, not the merchant", () => {
    const approved = riskAssessmentOf({ reviewStatus: "approved", matched: [], hostRiskUnavailable: false, revisedTo: "ACCEPT" });
    expect(approved.riskLevel).toBe("LOW");
    expect(approved.facts[0]).toEqual({ key: "approvedOnRevision", params: { value: "ACCEPT" }, sentiment: "positive" });
    const denied = riskAssessmentOf({ reviewStatus: "denied", matched: [], hostRiskUnavailable: false, revisedTo: "CANCEL" });
    expect(denied.riskLevel).toBe("HIGH");
    expect(denied.facts[0]).toMatchObject({ key: "deniedOnRevision", params: { value: "CANCEL" } });
    expect(riskAssessmentOf({ reviewStatus: "denied", matched: [], hostRiskUnavailable: false }).facts[0].key).toBe("denied");
  });
});
