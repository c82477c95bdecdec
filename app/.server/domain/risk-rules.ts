import type { HostRiskValue } from "./risk-attributes.ts";
import { ipInRange, normaliseIp, parseCondition, velocityKey, type AttributeRef, type Clause, type Condition } from "./risk-condition.ts";
import { emailDomain, type ListHit, type ListKind } from "./risk-lists.ts";
import { InvalidInputError } from "./errors.ts";
import { cardKey, type CardFacts } from "./risk-card.ts";

/**
 * A risk rule set and its decision (issue 13), as Stripe Radar decides: rules are checked in the
 * order allow → block → review (within each, the merchant's order); the first rule that matches
 * and is not in shadow mode decides. Every rule that matched is listed (shadow ones marked), so
 * the merchant sees why and what a shadow rule would have done. No match → allow.
 */
export type RiskAction = "allow" | "block" | "review";
export const RISK_ACTIONS: readonly RiskAction[] = ["allow", "block", "review"];

export interface RiskRule {
  id: string;
  name: string;
  when: Condition;
  action: RiskAction;
  /** Records what it would have done; never holds or allows anything. */
  shadow: boolean;
}

export interface RuleSet {
  /** Bumped by every change; a decision records the version it used. */
  version: number;
  rules: RiskRule[];
}

/** What is known of an order when it is decided. A fact that is null is unknown: its clauses are false. */
export interface OrderFacts {
  email: string | null;
  customerId: string | null;
  ip: string | null;
  ipCountry: string | null;
  billingCountry: string | null;
  totalMinor: number | null;
  currency: string | null;
  /** Keys (units) the order asks for. */
  keys: number;
  /** No earlier order from this email or customer in this account. */
  firstOrder: boolean;
  disposableEmail: boolean;
  platform: string | null;
  storeId: string | null;
  poolIds: string[];
  /** Shopify's recommendation; PENDING while its analysis runs, UNAVAILABLE when it could not be read. */
  hostRisk: HostRiskValue;
  /** Velocity figures by VelocitySpec.name, this order included. */
  velocity: Record<string, number>;
  listHits: ListHit[];
  /**
   * The card paid with, where the host shows it; null: unknown (not shown, another payment
   * method, or the read failed) — its clauses are false, `!=` and `not in` included. Absent in
   * facts stored before cards were read.
   */
  card?: CardFacts | null;
}

export interface MatchedRule {
  ruleId: string;
  name: string;
  action: RiskAction;
  shadow: boolean;
}

export interface RiskVerdict {
  action: RiskAction;
  /** The rule that decided; null when none matched (allowed by default). */
  decidedBy: MatchedRule | null;
  matched: MatchedRule[];
  ruleSetVersion: number;
}

const RANK: Record<RiskAction, number> = { allow: 0, block: 1, review: 2 };

export function decide(ruleSet: RuleSet, facts: OrderFacts): RiskVerdict {
  const ordered = ruleSet.rules.map((r, i) => ({ r, i })).sort((a, b) => RANK[a.r.action] - RANK[b.r.action] || a.i - b.i);
  const matched: MatchedRule[] = [];
  let decidedBy: MatchedRule | null = null;
  for (const { r } of ordered) {
    if (!conditionHolds(r.when, facts)) continue;
    const m: MatchedRule = { ruleId: r.id, name: r.name, action: r.action, shadow: r.shadow };
    matched.push(m);
    if (!r.shadow && decidedBy === null) decidedBy = m;
  }
  return { action: decidedBy?.action ?? "allow", decidedBy, matched, ruleSetVersion: ruleSet.version };
}

export function conditionHolds(c: Condition, facts: OrderFacts): boolean {
  return c.clauses.every((clause) => clauseHolds(clause, facts));
}

type Fact = string | number | boolean | null;

function factOf(a: AttributeRef, f: OrderFacts): Fact {
  switch (a.name) {
    case "email":
      return f.email?.toLowerCase() ?? null;
    case "email_domain":
      return emailDomain(f.email);
    case "customer_id":
      return f.customerId;
    case "store":
      return f.storeId;
    case "currency":
      return f.currency?.toUpperCase() ?? null;
    case "platform":
      return f.platform;
    case "ip":
      return f.ip ? normaliseIp(f.ip) : null;
    case "ip_country":
      return f.ipCountry;
    case "billing_country":
      return f.billingCountry;
    case "total":
      return f.totalMinor;
    case "keys":
      return f.keys;
    case "first_order":
      return f.firstOrder;
    case "disposable_email":
      return f.disposableEmail;
    case "on_allow_list":
      return f.listHits.some((h) => h.action === "allow");
    case "on_block_list":
      return f.listHits.some((h) => h.action === "block");
    case "host_risk":
      return f.hostRisk;
    case "card":
      return f.card ? cardKey(f.card) : null;
    case "card_bin":
      return f.card?.bin ?? null;
    case "card_last4":
      return f.card?.last4 ?? null;
    case "card_brand":
      return f.card?.brand ?? null;
    default:
      return null;
  }
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case "=":
      return a === b;
    default:
      return a !== b;
  }
}

/** The list kind an attribute is checked against by `in allow_list` / `in block_list`. */
const LIST_KIND_OF: Partial<Record<string, ListKind>> = { email: "email", email_domain: "domain", customer_id: "customer", ip: "ip", ip_country: "country", billing_country: "country", card: "card" };

function clauseHolds(clause: Clause, f: OrderFacts): boolean {
  // An order can draw on several pools: `pool = X` holds when any of its lines is in X.
  if (clause.attribute.name === "pool" && (clause.type === "equals" || clause.type === "in")) {
    const values = clause.type === "equals" ? [clause.value] : clause.members.map((m) => (m.type === "cidr" ? m.range : m.value));
    return f.poolIds.some((p) => values.includes(p)) !== clause.negated;
  }
  const spec = velocityKey(clause);
  const fact: Fact = spec ? (f.velocity[spec.name] ?? null) : factOf(clause.attribute, f);
  switch (clause.type) {
    case "flag":
      return fact === !clause.negated;
    case "compare":
      return typeof fact === "number" && compare(fact, clause.op, clause.value);
    case "money":
      // An amount in another currency is not compared (no conversion): the clause is false.
      if (typeof fact !== "number") return false;
      if (!spec && (f.currency ?? "").toUpperCase() !== clause.currency) return false;
      return compare(fact, clause.op, clause.minor);
    case "equals":
      if (fact === null) return false;
      return (String(fact).toLowerCase() === clause.value.toLowerCase()) !== clause.negated;
    case "same": {
      const other = factOf(clause.other, f);
      if (fact === null || other === null) return false;
      return (fact === other) !== clause.negated;
    }
    case "in": {
      if (fact === null) return false;
      const v = String(fact);
      const inside = clause.members.some((m) => (m.type === "cidr" ? ipInRange(v, m.range) : v.toLowerCase() === m.value.toLowerCase()));
      return inside !== clause.negated;
    }
    case "in_named": {
      if (fact === null) return false;
      if (clause.set === "disposable") return f.disposableEmail !== clause.negated;
      const kind = LIST_KIND_OF[clause.attribute.name];
      const action = clause.set === "allow_list" ? "allow" : "block";
      const country = kind === "country" ? String(fact) : null;
      const hit = f.listHits.some((h) => h.kind === kind && h.action === action && (country === null || h.value === country));
      return hit !== clause.negated;
    }
  }
}

export interface RuleInput {
  when: unknown;
  then: unknown;
  name?: unknown;
  shadow?: unknown;
}

/** Checks a rule as the merchant typed it; the condition's errors point at the wrong token. */
export function parseRuleInput(input: RuleInput): Omit<RiskRule, "id"> {
  const action = input.then;
  if (typeof action !== "string" || !(RISK_ACTIONS as readonly string[]).includes(action)) {
    throw new InvalidInputError("risk_rule_bad_action", "then must be review, block or allow", { field: "then", params: { value: String(action ?? "") } });
  }
  const when = parseCondition(typeof input.when === "string" ? input.when : "");
  const name = typeof input.name === "string" && input.name.trim() !== "" ? input.name.trim() : when.source;
  if (name.length > 200) throw new InvalidInputError("risk_rule_name_too_long", "name is longer than 200 characters", { field: "name", params: { max: 200 } });
  return { name, when, action: action as RiskAction, shadow: input.shadow === true };
}

/**
 * Switched on at install (README, "Risk control"): trusted lists first, then the block list,
 * Shopify's own CANCEL, a burst of keys from one email or IP, and a disposable address on a
 * first order above an amount.
 */
export const DEFAULT_RULES: readonly { name: string; when: string; then: RiskAction }[] = [
  { name: "Allow list", when: "on_allow_list", then: "allow" },
  { name: "Block list", when: "on_block_list", then: "block" },
  { name: "Shopify recommends cancelling", when: "host_risk = CANCEL", then: "review" },
  { name: "More than 10 keys from one email in an hour", when: "keys_per_email_1h > 10", then: "review" },
  { name: "More than 10 keys from one IP in an hour", when: "keys_per_ip_1h > 10", then: "review" },
  { name: "Disposable email on a first order over 50 USD", when: "disposable_email and first_order and total > 50.00 USD", then: "review" },
];
