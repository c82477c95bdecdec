import type { RiskVerdict } from "../../domain/risk-rules.ts";
import type { RiskDecisionsTable, RiskReviewStatus } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export type StoredDecision = Omit<RiskDecisionsTable, "matched" | "facts"> & { matched: RiskVerdict["matched"]; facts: Record<string, unknown> };

/** Records the first decision for an order; a re-run finds it and keeps it (returns the stored one). */
/**
 * Records the order's decision once (a second decision of the same order keeps the first) and
 * returns the stored one. `hostAssessment` "with_delivery": keyrelay's verdict goes to the host
 * with the order's write-back (deliver-order) instead of a job of its own.
 */
export async function insertDecision(
  db: Executor,
  accountId: string,
  orderId: string,
  verdict: RiskVerdict,
  facts: Record<string, unknown>,
  status: RiskReviewStatus,
  now: string,
  hostAssessment: "with_delivery" | null = null,
): Promise<StoredDecision> {
  const inserted = await db
    .insertInto("risk_decisions")
    .values({
      order_id: orderId,
      account_id: accountId,
      rule_set_version: verdict.ruleSetVersion,
      action: verdict.action,
      decided_by_rule_id: verdict.decidedBy?.ruleId ?? null,
      matched: JSON.stringify(verdict.matched),
      facts: JSON.stringify(facts),
      review_status: status,
      reviewed_by_type: null,
      reviewed_by_id: null,
      reviewed_at: null,
      review_reason: null,
      host_assessment: hostAssessment,
      created_at: now,
    })
    .onConflict((oc) => oc.column("order_id").doNothing())
    .returningAll()
    .executeTakeFirst();
  // Nothing returned: the order was decided before; that decision stands.
  if (inserted) return { ...inserted, matched: JSON.parse(inserted.matched), facts: JSON.parse(inserted.facts) };
  return (await getDecision(db, accountId, orderId))!;
}

export async function getDecision(db: Executor, accountId: string, orderId: string): Promise<StoredDecision | undefined> {
  const r = await db.selectFrom("risk_decisions").selectAll().where("account_id", "=", accountId).where("order_id", "=", orderId).executeTakeFirst();
  return r ? { ...r, matched: JSON.parse(r.matched), facts: JSON.parse(r.facts) } : undefined;
}

/** Held orders, oldest first. */
export async function listHeldDecisions(db: Executor, accountId: string, limit = 200): Promise<StoredDecision[]> {
  const rows = await db.selectFrom("risk_decisions").selectAll().where("account_id", "=", accountId).where("review_status", "=", "held").orderBy("created_at").orderBy("order_id").limit(limit).execute();
  return rows.map((r) => ({ ...r, matched: JSON.parse(r.matched), facts: JSON.parse(r.facts) }));
}

/**
 * held → approved / denied, once: false when the order was not held (already reviewed, or never).
 * `from` may include waiting (a cancellation on the host ends a wait for host risk too).
 */
export async function closeReview(
  db: Executor,
  accountId: string,
  orderId: string,
  to: "approved" | "denied",
  by: { type: string; id: string | null },
  reason: string | null,
  now: string,
  from: readonly RiskReviewStatus[] = ["held"],
): Promise<boolean> {
  const r = await db
    .updateTable("risk_decisions")
    .set({ review_status: to, reviewed_by_type: by.type, reviewed_by_id: by.id, reviewed_at: now, review_reason: reason })
    .where("account_id", "=", accountId)
    .where("order_id", "=", orderId)
    .where("review_status", "in", [...from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * waiting → the decision made once the host's risk is known (or the fallback applied), once:
 * false when the order no longer waits (decided by a concurrent check, or cancelled meanwhile).
 */
export async function resolveWaitingDecision(db: Executor, accountId: string, orderId: string, verdict: RiskVerdict, facts: Record<string, unknown>, status: Exclude<RiskReviewStatus, "waiting">): Promise<boolean> {
  const r = await db
    .updateTable("risk_decisions")
    .set({ action: verdict.action, decided_by_rule_id: verdict.decidedBy?.ruleId ?? null, matched: JSON.stringify(verdict.matched), facts: JSON.stringify(facts), review_status: status })
    .where("account_id", "=", accountId)
    .where("order_id", "=", orderId)
    .where("review_status", "=", "waiting")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A held order decided again (the host revised its risk) and still held: its new verdict and facts, while it is held. */
export async function updateHeldDecision(db: Executor, accountId: string, orderId: string, verdict: RiskVerdict, facts: Record<string, unknown>): Promise<boolean> {
  const r = await db
    .updateTable("risk_decisions")
    .set({ action: verdict.action, decided_by_rule_id: verdict.decidedBy?.ruleId ?? null, matched: JSON.stringify(verdict.matched), facts: JSON.stringify(facts) })
    .where("account_id", "=", accountId)
    .where("order_id", "=", orderId)
    .where("review_status", "=", "held")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** What became of keyrelay's verdict on the host order (orderRiskAssessmentCreate). */
export async function setHostAssessment(db: Executor, accountId: string, orderId: string, outcome: "written" | "skipped" | null, error: string | null): Promise<void> {
  await db.updateTable("risk_decisions").set({ host_assessment: outcome, host_assessment_error: error }).where("account_id", "=", accountId).where("order_id", "=", orderId).execute();
}
