import { describe, expect, it } from "vitest";
import { InvalidInputError } from "./errors.ts";
import { parseCondition } from "./risk-condition.ts";
import { conditionHolds, decide, DEFAULT_RULES, parseRuleInput, type OrderFacts, type RiskAction, type RiskRule } from "./risk-rules.ts";

function facts(over: Partial<OrderFacts> = {}): OrderFacts {
  return {
    email: "Li@Example.com",
    customerId: "c1",
    ip: "203.0.113.7",
    ipCountry: "CN",
    billingCountry: "CN",
    totalMinor: 6000,
    currency: "USD",
    keys: 2,
    firstOrder: false,
    disposableEmail: false,
    platform: "shopify",
    storeId: "st1",
    poolIds: ["p1"],
    hostRisk: "ACCEPT",
    velocity: {},
    listHits: [],
    ...over,
  };
}

const holds = (when: string, f: OrderFacts = facts()) => conditionHolds(parseCondition(when), f);

describe("risk condition evaluation, attribute by attribute", () => {
  it("email, email_domain, customer_id, store, currency, platform (text, case-insensitive)", () => {
    expect(holds("email = li@example.com")).toBe(true);
    expect(holds("email != li@example.com")).toBe(false);
    expect(holds("email_domain = EXAMPLE.com")).toBe(true);
    expect(holds("email_domain in [a.com, example.com]")).toBe(true);
    expect(holds("email_domain not in [a.com]")).toBe(true);
    expect(holds("customer_id = c1")).toBe(true);
    expect(holds("customer_id = c2")).toBe(false);
    expect(holds("store = st1")).toBe(true);
    expect(holds("currency = usd")).toBe(true);
    expect(holds("platform = woocommerce")).toBe(false);
    expect(holds("platform = shopify")).toBe(true);
    expect(holds("pool = p1", facts({ poolIds: ["p0", "p1"] }))).toBe(true);
    expect(holds("pool != p1", facts({ poolIds: ["p0", "p1"] }))).toBe(false);
    expect(holds("pool in [p7, p8]")).toBe(false);
  });

  it("a missing fact makes its clause false, either way round", () => {
    const guest = facts({ email: null, customerId: null, ip: null, ipCountry: null, billingCountry: null });
    expect(holds("email = li@example.com", guest)).toBe(false);
    expect(holds("email != li@example.com", guest)).toBe(false);
    expect(holds("customer_id != c1", guest)).toBe(false);
    expect(holds("ip in 0.0.0.0/0", guest)).toBe(false);
    expect(holds("ip_country != billing_country", guest)).toBe(false);
  });

  it("ip: exact, CIDR, IPv6 and IPv4-mapped addresses", () => {
    expect(holds("ip = 203.0.113.7")).toBe(true);
    expect(holds("ip in 203.0.113.0/24")).toBe(true);
    expect(holds("ip in [10.0.0.0/8, 192.168.0.0/16]")).toBe(false);
    expect(holds("ip not in 10.0.0.0/8")).toBe(true);
    expect(holds("ip in 2001:db8::/32", facts({ ip: "2001:db8::5" }))).toBe(true);
    expect(holds("ip = 203.0.113.7", facts({ ip: "::ffff:203.0.113.7" }))).toBe(true);
  });

  it("ip_country, billing_country and their mismatch", () => {
    expect(holds("ip_country = CN")).toBe(true);
    expect(holds("ip_country in [RU, KP]")).toBe(false);
    expect(holds("ip_country != billing_country")).toBe(false);
    expect(holds("ip_country != billing_country", facts({ billingCountry: "US" }))).toBe(true);
    expect(holds("ip_country = billing_country")).toBe(true);
    expect(holds("billing_country != US")).toBe(true);
  });

  it("total compares only in its own currency", () => {
    expect(holds("total > 50.00 USD")).toBe(true);
    expect(holds("total > 60.00 USD")).toBe(false);
    expect(holds("total >= 60.00 USD")).toBe(true);
    expect(holds("total > 50.00 EUR")).toBe(false);
    expect(holds("total < 1 USD", facts({ totalMinor: null }))).toBe(false);
  });

  it("keys, first_order, disposable_email, host_risk", () => {
    expect(holds("keys >= 2")).toBe(true);
    expect(holds("keys > 2")).toBe(false);
    expect(holds("first_order")).toBe(false);
    expect(holds("not first_order")).toBe(true);
    expect(holds("disposable_email", facts({ disposableEmail: true }))).toBe(true);
    expect(holds("email_domain in disposable", facts({ disposableEmail: true }))).toBe(true);
    expect(holds("email_domain not in disposable")).toBe(true);
    expect(holds("host_risk = CANCEL", facts({ hostRisk: "CANCEL" }))).toBe(true);
    // PENDING or unavailable never reads as low risk.
    expect(holds("host_risk = ACCEPT", facts({ hostRisk: "PENDING" }))).toBe(false);
    expect(holds("host_risk in [PENDING, UNAVAILABLE]", facts({ hostRisk: "UNAVAILABLE" }))).toBe(true);
  });

  it("velocity figures are read by name; money velocity per currency", () => {
    const f = facts({ velocity: { keys_per_ip_1h: 6, "money_per_email_1d:USD": 12000 } });
    expect(holds("keys_per_ip_1h > 5", f)).toBe(true);
    expect(holds("keys_per_ip_1h > 6", f)).toBe(false);
    expect(holds("money_per_email_1d > 100.00 USD", f)).toBe(true);
    expect(holds("money_per_email_1d > 100.00 EUR", f)).toBe(false);
    // A figure nobody computed is unknown: false.
    expect(holds("orders_per_customer_7d > 0", f)).toBe(false);
  });

  it("lists: on_allow_list / on_block_list and per-attribute membership", () => {
    const f = facts({
      listHits: [
        { entryId: "e1", kind: "ip", action: "block", value: "203.0.113.0/24" },
        { entryId: "e2", kind: "country", action: "allow", value: "CN" },
      ],
    });
    expect(holds("on_block_list", f)).toBe(true);
    expect(holds("on_allow_list", f)).toBe(true);
    expect(holds("ip in block_list", f)).toBe(true);
    expect(holds("email in block_list", f)).toBe(false);
    expect(holds("ip_country in allow_list", f)).toBe(true);
    expect(holds("billing_country in allow_list", facts({ ...f, billingCountry: "US" }))).toBe(false);
    expect(holds("ip not in block_list", f)).toBe(false);
  });

  it("clauses joined by and all have to hold", () => {
    const f = facts({ disposableEmail: true, firstOrder: true });
    expect(holds("email_domain in disposable and first_order and total > 50.00 USD", f)).toBe(true);
    expect(holds("email_domain in disposable and first_order and total > 70.00 USD", f)).toBe(false);
  });
});

function rule(id: string, action: RiskAction, when: string, shadow = false): RiskRule {
  return { id, name: id, when: parseCondition(when), action, shadow };
}

describe("decide: allow → block → review, first match decides, every match listed", () => {
  it("allow short-circuits block and review, whatever their position", () => {
    const set = { version: 3, rules: [rule("r-review", "review", "keys > 1"), rule("r-block", "block", "keys > 1"), rule("r-allow", "allow", "email = li@example.com")] };
    const v = decide(set, facts());
    expect(v.action).toBe("allow");
    expect(v.decidedBy?.ruleId).toBe("r-allow");
    expect(v.matched.map((m) => m.ruleId)).toEqual(["r-allow", "r-block", "r-review"]);
    expect(v.ruleSetVersion).toBe(3);
  });

  it("block before review; within an action, the merchant's order", () => {
    const set = { version: 1, rules: [rule("rv", "review", "keys > 1"), rule("b2", "block", "keys > 0"), rule("b1", "block", "keys > 1")] };
    expect(decide(set, facts()).decidedBy?.ruleId).toBe("b2");
  });

  it("no match allows by default", () => {
    const v = decide({ version: 1, rules: [rule("r", "review", "keys > 10")] }, facts());
    expect(v).toEqual({ action: "allow", decidedBy: null, matched: [], ruleSetVersion: 1 });
  });

  it("a shadow rule is recorded but never decides", () => {
    const set = { version: 2, rules: [rule("sb", "block", "keys > 1", true), rule("rv", "review", "keys > 1")] };
    const v = decide(set, facts());
    expect(v.action).toBe("review");
    expect(v.matched).toEqual([
      { ruleId: "sb", name: "sb", action: "block", shadow: true },
      { ruleId: "rv", name: "rv", action: "review", shadow: false },
    ]);
    expect(decide({ version: 2, rules: [rule("sb", "block", "keys > 1", true)] }, facts()).action).toBe("allow");
  });

  it("the default rules parse and hold what they say", () => {
    const rules = DEFAULT_RULES.map((d, i) => ({ id: `d${i}`, ...parseRuleInput(d) }));
    expect(decide({ version: 1, rules }, facts()).action).toBe("allow");
    expect(decide({ version: 1, rules }, facts({ hostRisk: "CANCEL" })).action).toBe("review");
    expect(decide({ version: 1, rules }, facts({ velocity: { keys_per_ip_1h: 11 } })).action).toBe("review");
    expect(decide({ version: 1, rules }, facts({ disposableEmail: true, firstOrder: true })).action).toBe("review");
    const blocked = facts({ listHits: [{ entryId: "e", kind: "email", action: "block", value: "li@example.com" }] });
    expect(decide({ version: 1, rules }, blocked).action).toBe("block");
    const trusted = facts({ hostRisk: "CANCEL", listHits: [{ entryId: "e", kind: "email", action: "allow", value: "li@example.com" }] });
    expect(decide({ version: 1, rules }, trusted).action).toBe("allow");
  });
});

describe("parseRuleInput", () => {
  it("takes a name or names the rule by its condition; refuses a bad action naming then", () => {
    expect(parseRuleInput({ when: " keys > 5 ", then: "review" })).toMatchObject({ name: "keys > 5", action: "review", shadow: false });
    expect(parseRuleInput({ when: "keys > 5", then: "block", name: "Bulk", shadow: true })).toMatchObject({ name: "Bulk", shadow: true });
    let err: unknown;
    try {
      parseRuleInput({ when: "keys > 5", then: "hold" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).field).toBe("then");
  });
});
