import { liveUnitsOfOrder, setUnitStatus, returnUnseenKey } from "../db/repositories/allocations-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { closeReview, insertDecision } from "../db/repositories/risk-decisions-repo.ts";
import { currentRuleSetVersion, listRules } from "../db/repositories/risk-rules-repo.ts";
import { recordVelocity } from "../db/repositories/risk-velocity-repo.ts";
import type { Order, OrderLine, RiskReviewStatus } from "../db/schema.ts";
import type { HostRiskValue } from "../domain/risk-attributes.ts";
import { hostRiskMatters } from "../domain/host-risk.ts";
import { parseCondition } from "../domain/risk-condition.ts";
import type { OrderFacts, RiskRule, RiskVerdict } from "../domain/risk-rules.ts";
import type { Services } from "../ports.ts";
import { RetryableError } from "../domain/errors.ts";
import { conditionsReadCard } from "../domain/risk-condition.ts";
import { cardKey } from "../domain/risk-card.ts";
import type { HostCard } from "../../../connectors/host-connector.ts";
import { riskLookups, type RiskLookups } from "../risk/risk-lookups.ts";
import { evaluateOrderRisk } from "./evaluate-order-risk.ts";

// The rules of a version never change (a change makes a new version), so a version's parsed rules
// are kept per process: the hot path reads only the version number.
const parsed = new Map<string, RiskRule[]>();
export async function rulesOf(trx: Executor, accountId: string, version: number): Promise<RiskRule[]> {
  const key = `${accountId}:${version}`;
  let rules = parsed.get(key);
  if (!rules) {
    rules = (await listRules(trx, accountId, version)).map((r) => ({ id: r.id, name: r.name, when: parseCondition(r.condition), action: r.action, shadow: r.shadow }));
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(key, rules);
  }
  return rules;
}

/**
 * Whether an account's rules wanted the order's card when this process last decided one of its
 * orders (a live rule reads a card attribute or per-card velocity, or a list rule meets a listed
 * card). The host is asked for the card before the order's transaction only then, so an account
 * without card rules pays no extra host call per order. A rule added meanwhile (or another
 * process's change) is caught by the gate: it refuses to decide without the card
 * (CardNeededError), the caller reads the card and runs the order again.
 */
const cardWanted = new Map<string, { wanted: boolean; at: number }>();
/**
 * A "yes" learnt from a listed card (not from a card rule) is trusted this long: orders whose card
 * was read cannot tell whether the lists still hold a card, so after it one order goes unread and
 * its list query (anyCard) finds out again.
 */
const LIST_CARD_TTL_MS = 10 * 60_000;
export function accountWantsCard(accountId: string): boolean {
  const c = cardWanted.get(accountId);
  return c !== undefined && c.wanted && Date.now() - c.at < LIST_CARD_TTL_MS;
}
/** Forget what this process learnt of an account (as a process that never saw it: tests). */
export function forgetCardWanted(accountId: string): void {
  cardWanted.delete(accountId);
}
function rememberCardWanted(accountId: string, wanted: boolean): void {
  if (cardWanted.size > 10_000) cardWanted.clear();
  cardWanted.set(accountId, { wanted, at: Date.now() });
}

/**
 * Whether an account's rules waited for Shopify's risk (or would have, had it not been read) when
 * this process last decided one of its Shopify orders: then the order's risk is read before its
 * transaction (read-host-risk.ts), so a finished analysis decides at once. Only a saving, never a
 * guarantee: an unread order waits for the check-host-risk job as before, and teaches this again.
 */
const hostRiskWanted = new Map<string, boolean>();
export function accountWaitsForHostRisk(accountId: string): boolean {
  return hostRiskWanted.get(accountId) === true;
}
function rememberHostRiskWanted(accountId: string, wanted: boolean): void {
  if (hostRiskWanted.size > 10_000) hostRiskWanted.clear();
  hostRiskWanted.set(accountId, wanted);
}
/** Forget it (as a process that never saw the account: tests). */
export function forgetHostRiskWanted(accountId: string): void {
  hostRiskWanted.delete(accountId);
}

/** The gate needs the order's card and it was not read: roll back, read it (outside the transaction), run again. */
export class CardNeededError extends RetryableError {
  static override readonly tag: string = "CardNeededError";
  readonly accountId: string;
  constructor(accountId: string) {
    super("risk_card_needed", "the risk rules read the order's card: read it from the host and apply the order again");
    this.accountId = accountId;
  }
}

/** What a waiting order's risk_reasons say (the admin shows it translated). */
export const HOST_RISK_WAITING_REASON = "waiting for host risk";

/** A held or denied order's keys are claimed but never shown, written back or mailed. */
export function deliveryWithheld(order: Pick<Order, "risk_decision">): boolean {
  return order.risk_decision === "hold" || order.risk_decision === "rejected";
}

export interface GateInput {
  order: Order;
  store: { id: string; account_id: string; platform: string };
  host: { status?: string; clientIp?: string | null; billingCountry?: string | null; riskRecommendation: "accept" | "investigate" | "cancel" | "none" | "pending" | null; card?: HostCard | null };
  lines: Pick<OrderLine, "pool_id">[];
  /** Units this run claimed (allocated + backordered). */
  claimed: number;
  now: string;
}

/**
 * A Shopify order whose risk was not read (the webhook carries none) is PENDING, never low risk:
 * when the rules depend on it, the check-host-risk job reads it. Other hosts have no risk analysis.
 */
function hostRisk(platform: string, rec: GateInput["host"]["riskRecommendation"]): HostRiskValue {
  if (rec === null) return platform === "shopify" ? "PENDING" : "NONE";
  return rec.toUpperCase() as HostRiskValue;
}

/** What the gate decided: deliver now, or not (held, blocked, or waiting for the host's risk). */
export interface GateOutcome {
  deliver: boolean;
  verdict?: RiskVerdict;
  /** Held until the host's risk analysis is read: the caller stages the check-host-risk job. */
  waitingForHostRisk?: boolean;
}

/**
 * Risk joins allocation here (issue 13), inside the order's transaction, after its keys are
 * claimed and before any follow-up is staged: the first time an order claims keys, the account's
 * rules decide. allow → delivered as usual; review → held (the claim stands, nothing is staged);
 * block → a hold denied at once (the keys go back to stock). An account without a rule set pays
 * one indexed read. Returns whether the write-back and email may be staged.
 */
export async function riskGate(s: Pick<Services, "database">, trx: Executor, g: GateInput, lookups: RiskLookups = riskLookups): Promise<GateOutcome> {
  if (deliveryWithheld(g.order)) {
    // A refund or cancellation while held ends the hold: the keys were released by the refund
    // policy above (never shown, so back to stock), and the order leaves the review queue.
    if (g.order.risk_decision === "hold" && (g.host.status === "cancelled" || g.host.status === "refunded")) {
      if (await closeReview(trx, g.order.account_id, g.order.id, "denied", { type: "system", id: null }, `${g.host.status} on the host`, g.now, ["held", "waiting"])) {
        await trx.updateTable("orders").set({ risk_decision: "rejected", updated_at: g.now }).where("id", "=", g.order.id).execute();
      }
    }
    return { deliver: false };
  }
  if (g.order.risk_decision === "approved" || g.claimed === 0) return { deliver: true };
  const version = await currentRuleSetVersion(trx, g.store.account_id);
  if (version === null) return { deliver: true };
  const rules = await rulesOf(trx, g.store.account_id, version);
  // The card is read outside the transaction, before it (see accountWantsCard): never here.
  const notRead = g.host.card === undefined;
  const rulesReadCard = conditionsReadCard(rules.map((r) => r.when));
  if (rulesReadCard) rememberCardWanted(g.store.account_id, true);
  if (notRead && rulesReadCard) throw new CardNeededError(g.store.account_id);
  const at = new Date(g.now);
  const o = g.order;
  const { verdict, facts, cardWanted: wanted } = await evaluateOrderRisk(
    trx,
    lookups,
    { version, rules },
    {
      orderId: o.id,
      accountId: o.account_id,
      storeId: g.store.id,
      platform: g.store.platform,
      email: o.email,
      customerId: o.customer_id,
      ip: g.host.clientIp ?? null,
      billingCountry: g.host.billingCountry?.toUpperCase() ?? null,
      totalMinor: o.total_minor === null ? null : Number(o.total_minor),
      currency: o.currency,
      keys: g.claimed,
      poolIds: [...new Set(g.lines.map((l) => l.pool_id).filter((p): p is string => p !== null))],
      hostRisk: hostRisk(g.store.platform, g.host.riskRecommendation),
      card: g.host.card,
      at,
    },
    { dialect: s.database.dialect, live: true },
  );
  // Not read: the list query said whether the account lists a card. Listed → read it and decide
  // again. Read and no card rule: a listed card keeps it wanted until LIST_CARD_TTL_MS passes.
  if (notRead) {
    rememberCardWanted(g.store.account_id, wanted);
    if (wanted) throw new CardNeededError(g.store.account_id);
  }
  await recordOrderVelocity(trx, { id: o.id, accountId: o.account_id, storeId: g.store.id, customerId: o.customer_id, currency: o.currency, keys: g.claimed }, facts, g.now);
  // Shopify's analysis not read or not finished, and it could change the outcome: hold the order
  // ("being prepared" for the buyer, nothing shown) until the check-host-risk job decides.
  const shopify = g.store.platform === "shopify";
  const waits = shopify && hostRiskMatters({ version, rules }, { ...facts, hostRisk: "PENDING" });
  if (shopify) rememberHostRiskWanted(g.store.account_id, waits);
  if (facts.hostRisk === "PENDING" && waits) {
    const stored = await insertDecision(trx, o.account_id, o.id, { ...verdict, action: "review", decidedBy: null }, { ...facts }, "waiting", g.now);
    if (stored.review_status !== "waiting") return { deliver: stored.review_status === "none" };
    await trx.updateTable("orders").set({ risk_decision: "hold", risk_reasons: JSON.stringify([HOST_RISK_WAITING_REASON]), updated_at: g.now }).where("id", "=", o.id).execute();
    return { deliver: false, waitingForHostRisk: true };
  }
  const status: RiskReviewStatus = verdict.action === "review" ? "held" : verdict.action === "block" ? "blocked" : "none";
  // Delivered now on Shopify: keyrelay's verdict goes with the write-back (one job, not two).
  const withDelivery = status === "none" && shopify ? "with_delivery" : null;
  const stored = await insertDecision(trx, o.account_id, o.id, verdict, { ...facts }, status, g.now, withDelivery);
  if (stored.review_status === "none") return { deliver: true, verdict };
  const reasons = JSON.stringify(verdict.matched.filter((m) => !m.shadow).map((m) => m.name));
  await trx.updateTable("orders").set({ risk_decision: stored.review_status === "held" ? "hold" : "rejected", risk_reasons: reasons, updated_at: g.now }).where("id", "=", o.id).execute();
  if (stored.review_status === "blocked") await releaseWithheldUnits(trx, o.id, g.now);
  return { deliver: false, verdict };
}

export interface ResellerGateInput {
  order: Pick<Order, "id" | "account_id" | "total_minor" | "currency">;
  reseller: { id: string; email: string | null };
  ip: string | null;
  poolId: string;
  /** Units of the order (claimed or backordered). */
  keys: number;
  now: string;
}

/**
 * A reseller's live order passes through the same rules (issue 13 item 6), inside its
 * transaction, after its keys are claimed: facts of a reseller order — platform `reseller`, the
 * reseller's id as customer_id (velocity per customer is per reseller), its contact email, the
 * request's IP, keys, total (minor units of the reseller's currency), pool. An account without a
 * rule set pays one indexed read. `review` records the hold (the queue shows it) and marks the
 * order held; `block` records nothing: the caller refuses the order and its transaction rolls
 * back (nothing charged, nothing claimed).
 */
export async function resellerRiskGate(trx: Executor, s: Pick<Services, "database">, g: ResellerGateInput, lookups: RiskLookups = riskLookups): Promise<{ action: "allow" | "review" | "block"; verdict?: RiskVerdict }> {
  const version = await currentRuleSetVersion(trx, g.order.account_id);
  if (version === null) return { action: "allow" };
  const rules = await rulesOf(trx, g.order.account_id, version);
  const o = g.order;
  const { verdict, facts } = await evaluateOrderRisk(
    trx,
    lookups,
    { version, rules },
    {
      orderId: o.id,
      accountId: o.account_id,
      storeId: null,
      platform: "reseller",
      email: g.reseller.email,
      customerId: g.reseller.id,
      ip: g.ip,
      billingCountry: null,
      totalMinor: o.total_minor === null ? null : Number(o.total_minor),
      currency: o.currency,
      keys: g.keys,
      poolIds: [g.poolId],
      hostRisk: "NONE",
      at: new Date(g.now),
    },
    { dialect: s.database.dialect, live: true },
  );
  if (verdict.action === "block") return { action: "block", verdict };
  await recordOrderVelocity(trx, { id: o.id, accountId: o.account_id, storeId: null, customerId: g.reseller.id, currency: o.currency, keys: g.keys }, facts, g.now);
  const status: RiskReviewStatus = verdict.action === "review" ? "held" : "none";
  const stored = await insertDecision(trx, o.account_id, o.id, verdict, { ...facts }, status, g.now);
  if (stored.review_status !== "held") return { action: "allow", verdict };
  const reasons = JSON.stringify(verdict.matched.filter((m) => !m.shadow).map((m) => m.name));
  await trx.updateTable("orders").set({ risk_decision: "hold", risk_reasons: reasons, updated_at: g.now }).where("id", "=", o.id).execute();
  return { action: "review", verdict };
}

/** The order's row in the velocity table, from the facts its decision used (retail or reseller). */
function recordOrderVelocity(
  trx: Executor,
  o: { id: string; accountId: string; storeId: string | null; customerId: string | null; currency: string | null; keys: number },
  facts: OrderFacts,
  now: string,
): Promise<void> {
  return recordVelocity(trx, {
    orderId: o.id,
    accountId: o.accountId,
    storeId: o.storeId,
    email: facts.email,
    ip: facts.ip,
    customerId: o.customerId,
    ipCountry: facts.ipCountry,
    billingCountry: facts.billingCountry,
    keys: o.keys,
    moneyMinor: facts.totalMinor,
    currency: o.currency,
    card: facts.card ? cardKey(facts.card) : null,
    cardBrand: facts.card?.brand ?? null,
    at: now,
  });
}

/**
 * A denied (or blocked) order gives its keys back: they were never shown, so they return to
 * stock; its waiting backorders are dropped. Returns the pools touched (their stock changed).
 */
export async function releaseWithheldUnits(trx: Executor, orderId: string, now: string): Promise<{ pools: Set<string>; returned: number }> {
  const units = await liveUnitsOfOrder(trx, orderId);
  const pools = new Set<string>();
  let returned = 0;
  for (const u of units) {
    pools.add(u.pool_id);
    if (u.status === "backordered") {
      await setUnitStatus(trx, u.id, "backordered", "dropped");
      continue;
    }
    if (!(await setUnitStatus(trx, u.id, "allocated", "returned"))) continue;
    if (u.key_id !== null && (await returnUnseenKey(trx, u.key_id, now))) returned++;
  }
  return { pools, returned };
}
