import { revisedHostRiskOf } from "../domain/host-risk.ts";
import type { RiskVerdict } from "../domain/risk-rules.ts";
import { cardKey, isCardBin, isCardLast4 } from "../domain/risk-card.ts";
import type { Services } from "../ports.ts";

/**
 * The review queue as the admin pages show it (issue 13): held orders, oldest first, a page at a
 * time or searched by buyer email / order number, each with the order's facts, the rules that
 * matched (with their condition, the "why") and how long it has been held. Reads only; approve
 * and deny are review-held-order.ts.
 */

export interface QueueRule {
  ruleId: string;
  name: string;
  action: RiskVerdict["action"];
  shadow: boolean;
  /** The rule's condition as the merchant wrote it; null when the rule is gone from the table. */
  when: string | null;
  /** The rule that decided the hold. */
  decided: boolean;
}

export interface QueueFacts {
  ip: string | null;
  ipCountry: string | null;
  billingCountry: string | null;
  keys: number | null;
  firstOrder: boolean | null;
  disposableEmail: boolean | null;
  hostRisk: string | null;
  /** Why the host's risk could not be read when the fallback decided (null: it was read, or not needed). */
  hostRiskUnavailable: string | null;
  velocity: Record<string, number>;
  listHits: { kind: string; action: string; value: string }[];
  /** The card paid with, masked (`424242…4242`), and its brand; null where the host showed none or it was not read. */
  card: { masked: string; brand: string | null } | null;
}

export interface QueueOrder {
  orderId: string;
  name: string | null;
  externalId: string;
  email: string | null;
  customerName: string | null;
  storeName: string | null;
  totalMinor: number | null;
  currency: string | null;
  placedAt: string | null;
  heldAt: string;
  ruleSetVersion: number;
  rules: QueueRule[];
  facts: QueueFacts;
}

export interface ReviewQueuePage {
  orders: QueueOrder[];
  /** Held orders in the account (all of them, or all held by `ruleId`; not only this page). */
  total: number;
  /** The rules that decided the held orders, with how many each holds: the queue's filter. */
  byRule: { ruleId: string; name: string; when: string | null; count: number }[];
  ruleId: string | null;
  page: number;
  pages: number;
  /** The search that produced this list, or null when paging through all of them. */
  query: string | null;
}

export const QUEUE_PAGE_SIZE = 25;

/** Held orders in the account: the dashboard's "N orders waiting for review". */
export async function countHeldOrders(s: Pick<Services, "db">, accountId: string): Promise<number> {
  const row = await s.db.selectFrom("risk_decisions").select((eb) => eb.fn.countAll<number>().as("n")).where("account_id", "=", accountId).where("review_status", "=", "held").executeTakeFirst();
  return Number(row?.n ?? 0);
}

function bool(v: unknown): boolean | null {
  return typeof v === "boolean" ? v : null;
}
function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function factsOf(raw: Record<string, unknown>): QueueFacts {
  const velocity: Record<string, number> = {};
  if (raw.velocity && typeof raw.velocity === "object") for (const [k, v] of Object.entries(raw.velocity)) if (typeof v === "number") velocity[k] = v;
  const hits = Array.isArray(raw.listHits) ? (raw.listHits as { kind?: unknown; action?: unknown; value?: unknown }[]) : [];
  return {
    ip: str(raw.ip),
    ipCountry: str(raw.ipCountry),
    billingCountry: str(raw.billingCountry),
    keys: typeof raw.keys === "number" ? raw.keys : null,
    firstOrder: bool(raw.firstOrder),
    disposableEmail: bool(raw.disposableEmail),
    hostRisk: str(raw.hostRisk),
    hostRiskUnavailable: str(raw.hostRiskUnavailable),
    velocity,
    listHits: hits.map((h) => ({ kind: String(h.kind ?? ""), action: String(h.action ?? ""), value: String(h.value ?? "") })),
    card: cardOfFacts(raw.card),
  };
}

function cardOfFacts(raw: unknown): QueueFacts["card"] {
  if (!raw || typeof raw !== "object") return null;
  const c = raw as { bin?: unknown; last4?: unknown; brand?: unknown };
  if (typeof c.bin !== "string" || typeof c.last4 !== "string" || !isCardBin(c.bin) || !isCardLast4(c.last4)) return null;
  return { masked: cardKey({ bin: c.bin, last4: c.last4 }), brand: str(c.brand) };
}

/**
 * One page of the queue (1-based), or the held orders matching `query` (an order number with or
 * without #, or an email — exact, case-insensitive; at most one page of them).
 */
export async function reviewQueue(s: Pick<Services, "db">, accountId: string, opts: { page?: number; query?: string | null; ruleId?: string | null; pageSize?: number } = {}): Promise<ReviewQueuePage> {
  const size = opts.pageSize ?? QUEUE_PAGE_SIZE;
  const grouped = await s.db
    .selectFrom("risk_decisions as d")
    .leftJoin("risk_rules as r", (j) => j.onRef("r.id", "=", "d.decided_by_rule_id").onRef("r.account_id", "=", "d.account_id"))
    .select((eb) => ["d.decided_by_rule_id", "r.name", "r.condition", eb.fn.countAll<number>().as("n")])
    .where("d.account_id", "=", accountId)
    .where("d.review_status", "=", "held")
    .groupBy(["d.decided_by_rule_id", "r.name", "r.condition"])
    .execute();
  const byRule = grouped
    .filter((g) => g.decided_by_rule_id !== null)
    .map((g) => ({ ruleId: g.decided_by_rule_id!, name: g.name ?? g.decided_by_rule_id!, when: g.condition, count: Number(g.n) }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  // A filter by a rule that holds nothing (any more, or another account's) is no filter.
  const ruleId = opts.ruleId && byRule.some((r) => r.ruleId === opts.ruleId) ? opts.ruleId : null;
  const total = ruleId ? byRule.find((r) => r.ruleId === ruleId)!.count : grouped.reduce((n, g) => n + Number(g.n), 0);
  const pages = Math.max(1, Math.ceil(total / size));
  const query = opts.query?.trim() || null;
  const page = query ? 1 : Math.min(Math.max(1, Math.floor(opts.page ?? 1)), pages);
  let q = s.db
    .selectFrom("risk_decisions as d")
    .innerJoin("orders as o", (j) => j.onRef("o.id", "=", "d.order_id").onRef("o.account_id", "=", "d.account_id"))
    .leftJoin("stores as st", (j) => j.onRef("st.id", "=", "o.store_id").onRef("st.account_id", "=", "o.account_id"))
    .select(["d.order_id", "d.created_at", "d.rule_set_version", "d.decided_by_rule_id", "d.matched", "d.facts", "o.name", "o.external_id", "o.email", "o.customer_name", "o.total_minor", "o.currency", "o.placed_at", "st.name as store_name"])
    .where("d.account_id", "=", accountId)
    .where("d.review_status", "=", "held");
  if (ruleId) q = q.where("d.decided_by_rule_id", "=", ruleId);
  if (query) {
    const name = query.replace(/^#/, "");
    const email = query.toLowerCase();
    q = q.where((eb) => eb.or([eb("o.name", "=", name), eb("o.name", "=", `#${name}`), eb("o.external_id", "=", name), eb(eb.fn("lower", ["o.email"]), "=", email)]));
  }
  const rows = await q
    .orderBy("d.created_at")
    .orderBy("d.order_id")
    .limit(size)
    .offset((page - 1) * size)
    .execute();

  const matched = rows.map((r) => JSON.parse(r.matched) as RiskVerdict["matched"]);
  const ruleIds = [...new Set(matched.flat().map((m) => m.ruleId))];
  // A rule removed since the hold is still in the table (closed at a version): its condition is shown.
  const conditions = new Map(
    ruleIds.length ? (await s.db.selectFrom("risk_rules").select(["id", "condition"]).where("account_id", "=", accountId).where("id", "in", ruleIds).execute()).map((r) => [r.id, r.condition]) : [],
  );
  const orders = rows.map((r, i) => ({
    orderId: r.order_id,
    name: r.name,
    externalId: r.external_id,
    email: r.email,
    customerName: r.customer_name,
    storeName: r.store_name,
    totalMinor: r.total_minor === null ? null : Number(r.total_minor),
    currency: r.currency,
    placedAt: r.placed_at,
    heldAt: r.created_at,
    ruleSetVersion: r.rule_set_version,
    rules: matched[i]!.map((m) => ({ ...m, when: conditions.get(m.ruleId) ?? null, decided: m.ruleId === r.decided_by_rule_id })),
    facts: factsOf(JSON.parse(r.facts) as Record<string, unknown>),
  }));
  return { orders, total, page, pages, query, byRule, ruleId };
}

/** The order page's line: whether this order is held, and since when. */
export async function reviewStatusOf(s: Pick<Services, "db">, accountId: string, orderId: string): Promise<{ status: string; since: string; reason: string | null; revisedTo: string | null; card: QueueFacts["card"] } | null> {
  const d = await s.db.selectFrom("risk_decisions").select(["review_status", "created_at", "reviewed_at", "review_reason", "reviewed_by_type", "facts"]).where("account_id", "=", accountId).where("order_id", "=", orderId).executeTakeFirst();
  if (!d || d.review_status === "none") return null;
  // Closed by the system on Shopify's revised risk: the page says so in the merchant's language.
  const revisedTo = d.reviewed_by_type === "system" ? revisedHostRiskOf(d.review_reason) : null;
  const facts = (() => {
    try {
      return JSON.parse(d.facts) as Record<string, unknown>;
    } catch {
      return {};
    }
  })();
  return { status: d.review_status, since: d.reviewed_at ?? d.created_at, reason: revisedTo ? null : d.review_reason, revisedTo, card: cardOfFacts(facts.card) };
}
