import { describe, expect, it } from "vitest";
import { InvalidInputError } from "./errors.ts";
import { cardKey, describeCard, parseCardValue } from "./risk-card.ts";
import { conditionsReadCard, parseCondition, velocityNeeds } from "./risk-condition.ts";
import { matchLists, parseListValue, type ListEntry } from "./risk-lists.ts";
import { conditionHolds, decide, type OrderFacts } from "./risk-rules.ts";

const visa = { bin: "424242", last4: "4242", brand: "Visa" };

function facts(over: Partial<OrderFacts> = {}): OrderFacts {
  return {
    email: "a@example.com",
    customerId: null,
    ip: null,
    ipCountry: null,
    billingCountry: null,
    totalMinor: 1000,
    currency: "USD",
    keys: 1,
    firstOrder: false,
    disposableEmail: false,
    platform: "shopify",
    storeId: "st1",
    poolIds: [],
    hostRisk: "ACCEPT",
    velocity: {},
    listHits: [],
    card: visa,
    ...over,
  };
}

function refusal(source: string): { code: string; token: unknown; column: unknown } {
  try {
    parseCondition(source);
  } catch (e) {
    if (e instanceof InvalidInputError) return { code: e.code, token: e.params.token, column: e.params.column };
    throw e;
  }
  throw new Error(`accepted: ${source}`);
}

const holds = (when: string, f: OrderFacts = facts()) => conditionHolds(parseCondition(when), f);

describe("the card as risk rules read it", () => {
  it("names one card BIN…LAST4 from the ways a merchant types it", () => {
    expect(cardKey(visa)).toBe("424242…4242");
    for (const typed of ["424242…4242", "424242*4242", "424242******4242", "424242...4242", "42424242xxxx4242", " 424242 * 4242 "]) expect(parseCardValue(typed)).toMatch(/^\d{6,8}…4242$/);
    for (const bad of ["4242424242424242", "42424…4242", "424242…424", "424242-4242", "", "visa"]) expect(parseCardValue(bad)).toBeNull();
    expect(describeCard(visa)).toBe("424242…4242 (Visa)");
    expect(describeCard(null)).toBeNull();
  });

  it("parses card clauses and points at a wrong token", () => {
    expect(parseCondition("card_bin = 424242").clauses[0]).toMatchObject({ type: "equals", value: "424242" });
    expect(parseCondition("card in [424242*4242, 555555…4444]").clauses[0]).toMatchObject({ type: "in", members: [{ value: "424242…4242" }, { value: "555555…4444" }] });
    expect(parseCondition("card in block_list").clauses[0]).toMatchObject({ type: "in_named", set: "block_list" });
    expect(refusal("card_bin = 4242")).toEqual({ code: "risk_condition_bad_card_bin", token: "4242", column: 12 });
    expect(refusal("keys > 1 and card_last4 in [4242, 42x2]")).toEqual({ code: "risk_condition_bad_card_last4", token: "42x2", column: 35 });
    expect(refusal("card = 4242424242424242")).toEqual({ code: "risk_condition_bad_card", token: "4242424242424242", column: 8 });
    expect(refusal("card_bin > 424242")).toMatchObject({ code: "risk_condition_operator_not_allowed", token: ">" });
    expect(refusal("orders_per_cards_24h > 1")).toMatchObject({ code: "risk_condition_unknown_attribute", column: 1 });
  });

  it("reads per-card velocity and knows which rule sets read a card", () => {
    expect(velocityNeeds([parseCondition("orders_per_card_24h > 1")])).toEqual([{ measure: "orders", subject: "card", minutes: 1440, name: "orders_per_card_24h" }]);
    expect(conditionsReadCard([parseCondition("keys_per_card_1h > 5")])).toBe(true);
    expect(conditionsReadCard([parseCondition("card_brand = visa")])).toBe(true);
    expect(conditionsReadCard([parseCondition("keys_per_ip_1h > 5"), parseCondition("on_block_list")])).toBe(false);
  });

  it("evaluates each card attribute; brands compare case-insensitively", () => {
    expect(holds("card_bin = 424242")).toBe(true);
    expect(holds("card_bin in [411111, 555555]")).toBe(false);
    expect(holds("card_last4 = 4242")).toBe(true);
    expect(holds("card_brand = VISA")).toBe(true);
    expect(holds("card = 424242*4242")).toBe(true);
    expect(holds("orders_per_card_24h > 1", facts({ velocity: { orders_per_card_24h: 2 } }))).toBe(true);
  });

  it("an unknown card (null, or facts stored before cards) matches no card clause, negated ones included", () => {
    for (const f of [facts({ card: null }), (({ card: _, ...rest }) => rest as OrderFacts)(facts())]) {
      for (const when of ["card_bin = 424242", "card_bin != 424242", "card_last4 not in [4242]", "card not in block_list", "card in allow_list", "card_brand != visa", "orders_per_card_24h < 5"]) expect(holds(when, f)).toBe(false);
    }
  });

  it("a listed card is a list hit: on_block_list blocks, on_allow_list allows", () => {
    expect(parseListValue("card", "424242*4242")).toBe("424242…4242");
    expect(() => parseListValue("card", "4242424242424242")).toThrowError(expect.objectContaining({ code: "risk_list_bad_card", field: "value" }));
    const entries: ListEntry[] = [{ id: "l1", kind: "card", value: "424242…4242", action: "block", expiresAt: null }];
    const hits = matchLists(entries, { email: "x@example.com", ip: null, country: [], customerId: null, card: "424242…4242" }, new Date());
    expect(hits).toEqual([{ entryId: "l1", kind: "card", action: "block", value: "424242…4242" }]);
    expect(matchLists(entries, { email: "x@example.com", ip: null, country: [], customerId: null, card: null }, new Date())).toEqual([]);
    const rules = { version: 1, rules: [{ id: "r1", name: "Block list", when: parseCondition("on_block_list"), action: "block" as const, shadow: false }] };
    expect(decide(rules, facts({ listHits: hits })).action).toBe("block");
    expect(holds("card in block_list", facts({ listHits: hits }))).toBe(true);
    expect(holds("card not in block_list", facts({ listHits: hits }))).toBe(false);
  });
});
