import { describe, expect, it } from "vitest";
import { InvalidInputError } from "./errors.ts";
import { ipInRange, parseCidr, parseCondition, velocityNeeds } from "./risk-condition.ts";

function refusal(source: string): { code: string; token: unknown; column: unknown; field?: string } {
  try {
    parseCondition(source);
  } catch (e) {
    if (e instanceof InvalidInputError) return { code: e.code, token: e.params.token, column: e.params.column, field: e.field };
    throw e;
  }
  throw new Error(`accepted: ${source}`);
}

describe("risk condition parser", () => {
  it("parses the issue's examples into typed clauses", () => {
    const c = parseCondition("email_domain in disposable and first_order and total > 50.00 USD");
    expect(c.clauses).toEqual([
      { type: "in_named", attribute: { kind: "text", name: "email_domain" }, negated: false, set: "disposable" },
      { type: "flag", attribute: { kind: "flag", name: "first_order" }, negated: false },
      { type: "money", attribute: { kind: "money", name: "total" }, op: ">", minor: 5000, currency: "USD" },
    ]);
    expect(parseCondition("keys_per_ip_1h > 5").clauses[0]).toEqual({
      type: "compare",
      attribute: { kind: "count", name: "keys_per_ip_1h", velocity: { measure: "keys", subject: "ip", minutes: 60, name: "keys_per_ip_1h" } },
      op: ">",
      value: 5,
    });
    expect(parseCondition("ip_country != billing_country").clauses[0]).toEqual({
      type: "same",
      attribute: { kind: "country", name: "ip_country" },
      negated: true,
      other: { kind: "country", name: "billing_country" },
    });
    expect(parseCondition("host_risk = cancel").clauses[0]).toMatchObject({ type: "equals", value: "CANCEL", negated: false });
  });

  it("reads money in the currency's own decimals", () => {
    expect(parseCondition("total >= 5000 JPY").clauses[0]).toMatchObject({ minor: 5000, currency: "JPY" });
    expect(parseCondition("total < 1.5 KWD").clauses[0]).toMatchObject({ minor: 1500, currency: "KWD" });
    expect(parseCondition("total > 50 usd").clauses[0]).toMatchObject({ minor: 5000, currency: "USD" });
    expect(refusal("total > 1.5 JPY")).toMatchObject({ code: "risk_condition_bad_money", token: "1.5", column: 9 });
    expect(refusal("total > 50.00 XYZ")).toMatchObject({ code: "risk_condition_bad_currency", token: "XYZ", column: 15 });
    expect(refusal("total > 50.00")).toMatchObject({ code: "risk_condition_expected_currency" });
    expect(refusal("total > -5 USD")).toMatchObject({ code: "risk_condition_bad_money", token: "-5" });
  });

  it("parses every attribute kind", () => {
    const ok = [
      "email = Bad@Example.com",
      "email in ['a@x.com', b@y.com]",
      "email in block_list",
      "email_domain not in [mailinator.com]",
      "customer_id = '123'",
      "store = st_1",
      "pool = pool_9",
      "currency = cny",
      "platform = woocommerce",
      "ip = 203.0.113.7",
      "ip in 10.0.0.0/8",
      "ip in [10.0.0.0/8, 2001:db8::/32, 192.0.2.1]",
      "ip not in allow_list",
      "ip_country in [RU, KP]",
      "billing_country = cn",
      "ip_country in block_list",
      "keys >= 20",
      "not first_order",
      "disposable_email",
      "on_allow_list",
      "on_block_list",
      "host_risk in [INVESTIGATE, CANCEL, PENDING]",
      "orders_per_email_24h > 3",
      "money_per_customer_7d > 500.00 EUR",
      "keys_per_store_10m > 100",
    ];
    for (const s of ok) expect(() => parseCondition(s), s).not.toThrow();
    expect(parseCondition("email = Bad@Example.com").clauses[0]).toMatchObject({ value: "bad@example.com" });
    expect(parseCondition("ip in 192.0.2.1").clauses[0]).toMatchObject({ members: [{ type: "cidr", range: "192.0.2.1/32" }] });
    expect(velocityNeeds([parseCondition("money_per_customer_7d > 500.00 EUR and keys_per_ip_1h > 1 and keys_per_ip_1h > 2")])).toEqual([
      { measure: "money", subject: "customer", minutes: 7 * 1440, name: "money_per_customer_7d:EUR", currency: "EUR" },
      { measure: "keys", subject: "ip", minutes: 60, name: "keys_per_ip_1h" },
    ]);
  });

  it("points at the wrong token: unknown attribute, bad CIDR, bad country, negative window", () => {
    expect(refusal("emial = a@b.com")).toEqual({ code: "risk_condition_unknown_attribute", token: "emial", column: 1, field: "when" });
    expect(refusal("first_order and ip in 10.0.0.0/33")).toMatchObject({ code: "risk_condition_bad_cidr", token: "10.0.0.0/33", column: 23 });
    expect(refusal("ip in [10.0.0.0/8, 300.1.1.1/8]")).toMatchObject({ code: "risk_condition_bad_cidr", token: "300.1.1.1/8", column: 20 });
    expect(refusal("ip_country = XX")).toMatchObject({ code: "risk_condition_bad_country", token: "XX", column: 14 });
    expect(refusal("billing_country in [US, USA]")).toMatchObject({ code: "risk_condition_bad_country", token: "USA", column: 25 });
    expect(refusal("ip_country = EU")).toMatchObject({ code: "risk_condition_bad_country" });
    expect(refusal("keys_per_ip_-1h > 5")).toMatchObject({ code: "risk_condition_negative_window", token: "keys_per_ip_-1h", column: 1 });
    expect(refusal("keys_per_ip_0h > 5")).toMatchObject({ code: "risk_condition_bad_window", token: "keys_per_ip_0h" });
    expect(refusal("keys_per_ip_1w > 5")).toMatchObject({ code: "risk_condition_bad_window" });
    expect(refusal("keys_per_ip_400d > 5")).toMatchObject({ code: "risk_condition_bad_window" });
    expect(refusal("keys_per_cart_1h > 5")).toMatchObject({ code: "risk_condition_unknown_attribute", token: "keys_per_cart_1h" });
  });

  it("refuses bad shapes with the token that is wrong", () => {
    expect(refusal("")).toMatchObject({ code: "risk_condition_empty", column: 1 });
    expect(refusal("keys > five")).toMatchObject({ code: "risk_condition_bad_number", token: "five", column: 8 });
    expect(refusal("keys > -1")).toMatchObject({ code: "risk_condition_bad_number", token: "-1" });
    expect(refusal("keys")).toMatchObject({ code: "risk_condition_expected_operator", column: 5 });
    expect(refusal("keys > 5 or first_order")).toMatchObject({ code: "risk_condition_expected_and", token: "or", column: 10 });
    expect(refusal("email > a@b.com")).toMatchObject({ code: "risk_condition_operator_not_allowed", token: ">", column: 7 });
    expect(refusal("host_risk = LOW")).toMatchObject({ code: "risk_condition_bad_host_risk", token: "LOW" });
    expect(refusal("not keys > 5")).toMatchObject({ code: "risk_condition_not_a_flag", token: "keys" });
    expect(refusal("ip = 1.2.3")).toMatchObject({ code: "risk_condition_bad_ip", token: "1.2.3" });
    expect(refusal("keys in disposable")).toMatchObject({ code: "risk_condition_set_not_allowed", token: "disposable" });
    expect(refusal("email in somewhere")).toMatchObject({ code: "risk_condition_expected_set", token: "somewhere" });
    expect(refusal("email = 'open")).toMatchObject({ code: "risk_condition_unterminated_text", column: 9 });
    expect(refusal("ip_country in [US CN]")).toMatchObject({ code: "risk_condition_expected_comma", token: "CN" });
    expect(refusal("email ! a")).toMatchObject({ code: "risk_condition_unexpected_token", token: "!" });
  });
});

describe("CIDR helpers", () => {
  it("canonicalises ranges and matches addresses of the same family", () => {
    expect(parseCidr("10.0.0.0/8")).toBe("10.0.0.0/8");
    expect(parseCidr("2001:DB8::/32")).toBe("2001:db8::/32");
    expect(parseCidr("::ffff:10.0.0.1")).toBe("10.0.0.1/32");
    expect(parseCidr("10.0.0.0/40")).toBeNull();
    expect(parseCidr("nope")).toBeNull();
    expect(ipInRange("10.1.2.3", "10.0.0.0/8")).toBe(true);
    expect(ipInRange("11.1.2.3", "10.0.0.0/8")).toBe(false);
    expect(ipInRange("::ffff:10.1.2.3", "10.0.0.0/8")).toBe(true);
    expect(ipInRange("2001:db8::1", "10.0.0.0/8")).toBe(false);
  });
});
