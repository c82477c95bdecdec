import type { HostRiskValue } from "./risk-attributes.ts";
import { decide, type OrderFacts, type RiskAction, type RiskVerdict, type RuleSet } from "./risk-rules.ts";

/**
 * Waiting for the host's risk analysis (issue 13). Shopify's analysis can still be PENDING when
 * orders/paid arrives, and the webhook carries no risk at all. PENDING or missing never counts as
 * low risk: an order whose outcome depends on the host's risk is held ("waiting for host risk")
 * and re-read with backoff until the merchant's limit; then the merchant's fallback applies.
 */

/** What the host said of an order's risk, as the connector read it. */
export interface HostRiskReading {
  /** pending: the host's own analysis has not finished (or has not started: nothing to read yet). */
  state: "pending" | "known";
  recommendation: "accept" | "investigate" | "cancel" | "none" | null;
}

/** The values a finished analysis can give: the ones a wait can end on. */
const KNOWN: readonly HostRiskValue[] = ["ACCEPT", "INVESTIGATE", "CANCEL", "NONE"];

/** The rule value of a reading: PENDING until the host's analysis is finished. */
export function hostRiskValue(r: HostRiskReading): HostRiskValue {
  if (r.state === "pending") return "PENDING";
  return r.recommendation === null ? "NONE" : (r.recommendation.toUpperCase() as HostRiskValue);
}

/**
 * Whether waiting for the host's risk can change this order's outcome: the live rules decide
 * differently for some finished value. When every value gives the same action (no live rule reads
 * host_risk, or an allow/block rule decides before any that does), there is nothing to wait for.
 */
export function hostRiskMatters(ruleSet: RuleSet, facts: OrderFacts): boolean {
  const actions = new Set<RiskAction>();
  for (const value of KNOWN) actions.add(decide(ruleSet, { ...facts, hostRisk: value }).action);
  return actions.size > 1;
}

/** The first re-read comes quickly (Shopify's analysis usually takes seconds), then less often. */
export const FIRST_CHECK_DELAY_MS = 5_000;
export const MAX_CHECK_DELAY_MS = 60_000;

/**
 * When to read the host's risk again after `attempt` reads (1 = the first), for an order that
 * began waiting at `since` with a limit of `limitMinutes`: backoff 5 s, 10 s, 20 s … at most a
 * minute, the last read landing on the limit itself. null: the limit is reached, decide now.
 */
export function nextCheckDelayMs(attempt: number, since: Date, now: Date, limitMinutes: number): number | null {
  const deadline = since.getTime() + limitMinutes * 60_000;
  const left = deadline - now.getTime();
  if (left <= 0) return null;
  const backoff = Math.min(MAX_CHECK_DELAY_MS, FIRST_CHECK_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.min(backoff, left);
}

export type HostRiskFallback = "review" | "allow";

/**
 * The decision once the host's risk is known, or (value UNAVAILABLE) when it is not and the
 * merchant's fallback applies: `review` holds an order the rules would otherwise let through;
 * `allow` lets the rules decide without the host's risk. A block stands either way.
 */
export function decideWithHostRisk(ruleSet: RuleSet, facts: OrderFacts, value: HostRiskValue, fallback: HostRiskFallback): { verdict: RiskVerdict; facts: OrderFacts; hostRiskUnavailable: boolean } {
  const unavailable = value === "UNAVAILABLE" || value === "PENDING";
  const f: OrderFacts = { ...facts, hostRisk: unavailable ? "UNAVAILABLE" : value };
  const verdict = decide(ruleSet, f);
  if (unavailable && fallback === "review" && verdict.action === "allow") return { verdict: { ...verdict, action: "review", decidedBy: null }, facts: f, hostRiskUnavailable: true };
  return { verdict, facts: f, hostRiskUnavailable: unavailable };
}

/**
 * The review reason the system records when Shopify's revised risk decided a held order (an
 * approval or a denial nobody typed): stored as data, shown translated by the order page.
 */
const REVISED_PREFIX = "host risk revised: ";
export function hostRiskRevisedReason(value: HostRiskValue): string {
  return `${REVISED_PREFIX}${value}`;
}
/** The host risk value of a system reason made by hostRiskRevisedReason; null for a person's reason. */
export function revisedHostRiskOf(reason: string | null): HostRiskValue | null {
  if (!reason?.startsWith(REVISED_PREFIX)) return null;
  const v = reason.slice(REVISED_PREFIX.length);
  return KNOWN.find((k) => k === v) ?? null;
}

/** The name a decision carries when the fallback, not a rule, held the order (shown translated). */
export const HOST_RISK_UNAVAILABLE_REASON = "host risk unavailable";

/** One fact of keyrelay's verdict as the host shows it: a catalog key (hostRisk.assessment.*) and its values. */
export interface AssessmentFact {
  key: "ruleMatched" | "noRuleMatched" | "hostRiskUnavailable" | "approved" | "denied" | "held" | "approvedOnRevision" | "deniedOnRevision";
  params: Record<string, string>;
  sentiment: "positive" | "neutral" | "negative";
}

/**
 * keyrelay's verdict as a host risk assessment (Shopify orderRiskAssessmentCreate): delivered or
 * approved → LOW, held → MEDIUM, blocked or denied → HIGH; one fact per live rule that matched
 * (an allow rule speaks for the order, the others against it), and why the host's risk is missing.
 */
export function riskAssessmentOf(d: {
  reviewStatus: "none" | "held" | "approved" | "denied" | "blocked";
  matched: { name: string; action: RiskAction; shadow: boolean }[];
  hostRiskUnavailable: boolean;
  /** The review was closed by the system because Shopify revised its risk to this value. */
  revisedTo?: HostRiskValue | null;
}): { riskLevel: "LOW" | "MEDIUM" | "HIGH"; facts: AssessmentFact[] } {
  const riskLevel = d.reviewStatus === "none" || d.reviewStatus === "approved" ? "LOW" : d.reviewStatus === "held" ? "MEDIUM" : "HIGH";
  const facts: AssessmentFact[] = [];
  const revised = d.revisedTo ? { value: d.revisedTo } : null;
  if (d.reviewStatus === "approved") facts.push(revised ? { key: "approvedOnRevision", params: revised, sentiment: "positive" } : { key: "approved", params: {}, sentiment: "positive" });
  if (d.reviewStatus === "denied") facts.push(revised ? { key: "deniedOnRevision", params: revised, sentiment: "negative" } : { key: "denied", params: {}, sentiment: "negative" });
  if (d.reviewStatus === "held") facts.push({ key: "held", params: {}, sentiment: "negative" });
  const live = d.matched.filter((m) => !m.shadow);
  for (const m of live) facts.push({ key: "ruleMatched", params: { name: m.name, action: m.action }, sentiment: m.action === "allow" ? "positive" : "negative" });
  if (live.length === 0) facts.push({ key: "noRuleMatched", params: {}, sentiment: "positive" });
  if (d.hostRiskUnavailable) facts.push({ key: "hostRiskUnavailable", params: {}, sentiment: "neutral" });
  // Shopify keeps at most 20 facts.
  return { riskLevel, facts: facts.slice(0, 20) };
}
