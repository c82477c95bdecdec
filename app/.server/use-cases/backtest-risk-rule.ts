import { parseCondition } from "../domain/risk-condition.ts";
import type { CardFacts } from "../domain/risk-card.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { HostRiskValue } from "../domain/risk-attributes.ts";
import type { Services } from "../ports.ts";
import type { RiskLookups } from "../risk/risk-lookups.ts";
import { evaluateOrderRisk } from "./evaluate-order-risk.ts";

export interface BacktestResult {
  when: string;
  days: number;
  /** Orders looked at (placed in the window). */
  orders: number;
  matched: { orders: number; keys: number; money: { currency: string; minor: number }[] };
  examples: { orderId: string; name: string | null; email: string | null; at: string; keys: number; totalMinor: number | null; currency: string | null }[];
}

const MAX_ORDERS = 20_000;

function cardOf(stored: string | null, brand: string | null): CardFacts | null {
  const m = stored ? /^(\d{6,8})…(\d{4})$/.exec(stored) : null;
  return m ? { bin: m[1]!, last4: m[2]!, brand } : null;
}

/**
 * "What would this rule have done over the last N days" (issue 13): the condition is evaluated
 * against each stored order as it was then — velocity windows end at that order, lists as they
 * are now — and the orders, keys and money it would have held are summed. Nothing is written.
 */
export async function backtestRiskRule(s: Pick<Services, "db">, lookups: RiskLookups, accountId: string, input: { when: unknown; days?: unknown }): Promise<BacktestResult> {
  const when = parseCondition(typeof input.when === "string" ? input.when : "");
  const days = input.days === undefined ? 30 : Number(input.days);
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new InvalidInputError("risk_backtest_bad_days", "days must be a whole number from 1 to 365", { field: "days", params: { value: String(input.days) } });
  const since = new Date(Date.now() - days * 86_400_000).toISOString();
  const rows = await s.db
    .selectFrom("orders as o")
    .leftJoin("risk_velocity as v", "v.order_id", "o.id")
    .leftJoin("risk_decisions as d", "d.order_id", "o.id")
    .select(["o.id", "o.name", "o.email", "o.customer_id", "o.store_id", "o.total_minor", "o.currency", "o.created_at", "v.ip", "v.billing_country", "v.keys", "v.at", "v.card", "v.card_brand", "d.facts"])
    .where("o.account_id", "=", accountId)
    .where("o.created_at", ">", since)
    .orderBy("o.created_at")
    .limit(MAX_ORDERS)
    .execute();
  const units = new Map<string, number>();
  if (rows.length) {
    const counted = await s.db
      .selectFrom("allocations as a")
      .innerJoin("order_lines as l", "l.id", "a.order_line_id")
      .select((eb) => ["l.order_id", eb.fn.countAll<number>().as("n")])
      .where("a.account_id", "=", accountId)
      .where("l.order_id", "in", rows.filter((r) => r.keys === null).map((r) => r.id).concat(["-"]))
      .groupBy("l.order_id")
      .execute();
    for (const c of counted) units.set(c.order_id, Number(c.n));
  }
  const platforms = new Map((await s.db.selectFrom("stores").select(["id", "platform"]).where("account_id", "=", accountId).execute()).map((r) => [r.id, r.platform]));
  const ruleSet = { version: 0, rules: [{ id: "backtest", name: when.source, when, action: "review" as const, shadow: false }] };
  const result: BacktestResult = { when: when.source, days, orders: rows.length, matched: { orders: 0, keys: 0, money: [] }, examples: [] };
  const money = new Map<string, number>();
  for (const r of rows) {
    const keys = r.keys ?? units.get(r.id) ?? 0;
    const facts = r.facts ? (JSON.parse(r.facts) as { hostRisk?: HostRiskValue }) : {};
    const at = new Date(r.at ?? r.created_at);
    const { verdict } = await evaluateOrderRisk(s.db, lookups, ruleSet, {
      orderId: r.id,
      accountId,
      storeId: r.store_id,
      platform: r.store_id ? (platforms.get(r.store_id) ?? null) : null,
      email: r.email,
      customerId: r.customer_id,
      ip: r.ip ?? null,
      billingCountry: r.billing_country ?? null,
      totalMinor: r.total_minor === null ? null : Number(r.total_minor),
      currency: r.currency,
      keys,
      poolIds: [],
      hostRisk: facts.hostRisk ?? "UNAVAILABLE",
      // The card as the velocity row kept it; an order without one (before cards were read, or
      // none shown) has it unknown, so card clauses do not match it.
      card: cardOf(r.card ?? null, r.card_brand ?? null),
      at,
    });
    if (verdict.matched.length === 0) continue;
    result.matched.orders++;
    result.matched.keys += keys;
    if (r.currency && r.total_minor !== null) money.set(r.currency, (money.get(r.currency) ?? 0) + Number(r.total_minor));
    if (result.examples.length < 5) result.examples.push({ orderId: r.id, name: r.name, email: r.email, at: at.toISOString(), keys, totalMinor: r.total_minor === null ? null : Number(r.total_minor), currency: r.currency });
  }
  result.matched.money = [...money].map(([currency, minor]) => ({ currency, minor })).sort((a, b) => a.currency.localeCompare(b.currency));
  return result;
}
