import { isHostError } from "../../../connectors/host-error.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { getDecision, updateHeldDecision } from "../db/repositories/risk-decisions-repo.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { hostRiskRevisedReason, hostRiskValue } from "../domain/host-risk.ts";
import type { HostRiskValue } from "../domain/risk-attributes.ts";
import { decide, type OrderFacts } from "../domain/risk-rules.ts";
import { storeIsInactive } from "../domain/store-status.ts";
import type { JobContext } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import { approveHeldOrder, denyHeldOrder } from "./review-held-order.ts";
import { rulesOf } from "./risk-gate.ts";

type Deps = Pick<Services, "db" | "jobs" | "connectors" | "config">;

export type Reevaluation = "unchanged" | "still_held" | "approved" | "denied" | "skipped";

/**
 * Shopify revised the risk of an order keyrelay holds for review (orders/risk_assessment_changed,
 * Shopify's own analysis): the order's rules decide again with the new host risk and the facts
 * stored at the first decision (the rule set version it was decided with: those are the facts it
 * gathered). Only host_risk can change the outcome, so an order held by velocity or a list stays
 * held. allow → approved by the system and delivered as usual; block → denied (the keys, never
 * shown, back to stock); review → still held, its facts and reasons show the new host risk. Still
 * PENDING, unreadable, or the store gone: the order stays held for a person. A reviewer who
 * decided meanwhile wins (the review closes once).
 */
export async function reevaluateHeldOrder(s: Deps, orderId: string, ctx: Pick<JobContext, "log">): Promise<Reevaluation> {
  const order = await s.db.selectFrom("orders").select(["id", "account_id", "store_id", "external_id"]).where("id", "=", orderId).executeTakeFirst();
  if (!order) return "skipped";
  const decision = await getDecision(s.db, order.account_id, order.id);
  if (!decision || decision.review_status !== "held") return "skipped";
  const store = order.store_id ? await findStoreById(s.db, order.store_id) : undefined;
  if (!store || storeIsInactive(store.status)) return "skipped";

  let value: HostRiskValue;
  try {
    const reading = await (await s.connectors.forStore(store)).fetchOrderRisk(order.external_id);
    if (!reading) return "skipped";
    value = hostRiskValue(reading);
  } catch (e) {
    // Throttled or down: the job retries. Refused (a missing scope): a person reviews it as before.
    if (isHostError(e) && e.kind !== "retryable") {
      ctx.log.warn({ orderId: order.id, err: e.message }, "host risk revised but not readable: the order stays held");
      return "skipped";
    }
    throw e;
  }
  const facts = decision.facts as unknown as OrderFacts;
  if (value === "PENDING" || value === facts.hostRisk) return "unchanged";

  const rules = await rulesOf(s.db, order.account_id, decision.rule_set_version);
  const revised: OrderFacts = { ...facts, hostRisk: value };
  const verdict = decide({ version: decision.rule_set_version, rules }, revised);
  const system = { type: "system" as const, id: null };
  const reason = hostRiskRevisedReason(value);
  try {
    if (verdict.action === "allow") {
      await approveHeldOrder(s, order.account_id, order.id, system, reason);
      return "approved";
    }
    if (verdict.action === "block") {
      await denyHeldOrder(s, order.account_id, order.id, system, reason);
      return "denied";
    }
  } catch (e) {
    if (e instanceof InvalidInputError && e.code === "risk_order_not_held") return "skipped"; // a reviewer was quicker
    throw e;
  }
  const kept = await s.db.transaction().execute(async (trx) => {
    if (!(await updateHeldDecision(trx, order.account_id, order.id, verdict, { ...revised }))) return false;
    const names = verdict.matched.filter((m) => !m.shadow).map((m) => m.name);
    await trx.updateTable("orders").set({ risk_reasons: JSON.stringify(names), updated_at: new Date().toISOString() }).where("id", "=", order.id).execute();
    await recordAudit(trx, {
      accountId: order.account_id,
      actorType: "system",
      action: "risk.host_risk_reevaluated",
      subjectType: "order",
      subjectId: order.id,
      details: { from: facts.hostRisk, to: value, action: verdict.action, rules: names },
    });
    return true;
  });
  return kept ? "still_held" : "skipped";
}
