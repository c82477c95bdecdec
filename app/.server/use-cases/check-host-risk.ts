import { isHostError } from "../../../connectors/host-error.ts";
import { readAccountSettings } from "../db/repositories/account-settings-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { getDecision, resolveWaitingDecision } from "../db/repositories/risk-decisions-repo.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import type { Order, RiskReviewStatus } from "../db/schema.ts";
import { decideWithHostRisk, hostRiskValue, nextCheckDelayMs, HOST_RISK_UNAVAILABLE_REASON } from "../domain/host-risk.ts";
import type { HostRiskValue } from "../domain/risk-attributes.ts";
import type { OrderFacts } from "../domain/risk-rules.ts";
import { storeIsInactive } from "../domain/store-status.ts";
import type { StagedJob, JobContext } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import { reevaluateHeldOrder } from "./reevaluate-held-order.ts";
import { releaseWithheldUnits, rulesOf } from "./risk-gate.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";
import { stageOrderDelivery } from "./stage-order-delivery.ts";
import { stageRiskAssessment } from "./write-risk-assessment.ts";

type Deps = Pick<Services, "db" | "jobs" | "connectors" | "config">;

/**
 * The `check-host-risk` job: an order held because its rules read the host's risk and Shopify's
 * analysis was not there yet. Reads it; finished → the rules decide with it; still PENDING (or the
 * host is briefly unreachable) → read again with backoff until the merchant's limit
 * (risk.host_wait_minutes); the limit reached, or the host refusing (a missing scope, the order
 * gone) → the merchant's fallback (risk.host_fallback) decides, and the decision says "host risk
 * unavailable". Never throws for the host's sake: a wait always ends in a decision.
 */
export async function checkHostRisk(s: Deps, p: { orderId: string; attempt: number; revised?: boolean }, ctx: Pick<JobContext, "log">): Promise<void> {
  const order = await s.db.selectFrom("orders").selectAll().where("id", "=", p.orderId).executeTakeFirst();
  if (!order) return;
  const decision = await getDecision(s.db, order.account_id, order.id);
  if (decision?.review_status === "held") {
    // Held for review, and Shopify revised its risk: the rules decide again with it.
    if (p.revised) ctx.log.info({ orderId: order.id, outcome: await reevaluateHeldOrder(s, order.id, ctx) }, "held order re-evaluated with the host's revised risk");
    return;
  }
  if (!decision || decision.review_status !== "waiting") return; // decided already, or cancelled meanwhile
  const settings = await readAccountSettings(s.db, order.account_id);
  if (!settings) return;
  const store = order.store_id ? await findStoreById(s.db, order.store_id) : undefined;

  let value: HostRiskValue = "PENDING";
  let unavailable: string | null = null;
  if (!store || storeIsInactive(store.status)) {
    unavailable = "the store is not connected";
  } else {
    try {
      const reading = await (await s.connectors.forStore(store)).fetchOrderRisk(order.external_id);
      if (reading) value = hostRiskValue(reading);
      else unavailable = "the order no longer exists on the host";
    } catch (e) {
      // Throttled or down for a moment: as if still pending (read again). Refused (a missing
      // scope, a revoked token): waiting will not help, the fallback decides now.
      if (!isHostError(e)) throw e;
      if (e.kind === "retryable") ctx.log.warn({ orderId: order.id, err: e.message }, "host risk not readable yet");
      else unavailable = e.message;
    }
  }

  if (value === "PENDING" && unavailable === null) {
    const delay = nextCheckDelayMs(p.attempt, new Date(String(decision.created_at)), new Date(), settings["risk.host_wait_minutes"]);
    if (delay !== null) {
      await s.jobs.enqueue("check-host-risk", { orderId: order.id, attempt: p.attempt + 1 }, { accountId: order.account_id, dedupeKey: `check-host-risk:${order.id}`, delayMs: delay });
      return;
    }
    unavailable = `no answer within ${settings["risk.host_wait_minutes"]} minutes`;
  }
  await decideWaitingOrder(s, order, decision.rule_set_version, decision.facts as unknown as OrderFacts, unavailable === null ? value : "UNAVAILABLE", settings["risk.host_fallback"], unavailable);
}

/** The decision a waiting order was waiting for, applied once (a concurrent check finds it decided). */
async function decideWaitingOrder(s: Deps, order: Order, version: number, facts: OrderFacts, value: HostRiskValue, fallback: "review" | "allow", unavailable: string | null): Promise<void> {
  const staged = await s.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const rules = await rulesOf(trx, order.account_id, version);
    const d = decideWithHostRisk({ version, rules }, facts, value, fallback);
    const status: Exclude<RiskReviewStatus, "waiting"> = d.verdict.action === "review" ? "held" : d.verdict.action === "block" ? "blocked" : "none";
    const stored = { ...d.facts, hostRiskUnavailable: d.hostRiskUnavailable ? (unavailable ?? HOST_RISK_UNAVAILABLE_REASON) : null };
    if (!(await resolveWaitingDecision(trx, order.account_id, order.id, d.verdict, stored, status))) return [];
    const jobs: StagedJob[] = [];
    const names = d.verdict.matched.filter((m) => !m.shadow).map((m) => m.name);
    if (status === "none") {
      await trx.updateTable("orders").set({ risk_decision: "none", risk_reasons: null, updated_at: now }).where("id", "=", order.id).execute();
      jobs.push(...(await stageOrderDelivery(s, trx, order.account_id, order.id, order.store_id, now)));
    } else if (status === "held") {
      const reasons = d.verdict.decidedBy === null && d.hostRiskUnavailable ? [...names, HOST_RISK_UNAVAILABLE_REASON] : names;
      await trx.updateTable("orders").set({ risk_decision: "hold", risk_reasons: JSON.stringify(reasons), updated_at: now }).where("id", "=", order.id).execute();
    } else {
      await trx.updateTable("orders").set({ risk_decision: "rejected", risk_reasons: JSON.stringify(names), updated_at: now }).where("id", "=", order.id).execute();
      const { pools } = await releaseWithheldUnits(trx, order.id, now);
      for (const poolId of pools) {
        jobs.push(await stageStockSync(s, trx, order.account_id, poolId));
        jobs.push(await s.jobs.stage(trx, "fill-backorders", { accountId: order.account_id, poolId }, { accountId: order.account_id, dedupeKey: `fill-backorders:${poolId}` }));
      }
    }
    // keyrelay's verdict on the Shopify order, whether or not Shopify's own could be read.
    jobs.push(await stageRiskAssessment(s, trx, order.account_id, order.id));
    await recordAudit(trx, {
      accountId: order.account_id,
      actorType: "system",
      action: "risk.host_risk_decided",
      subjectType: "order",
      subjectId: order.id,
      details: { action: d.verdict.action, hostRisk: d.facts.hostRisk, unavailable, fallback: d.hostRiskUnavailable ? fallback : null, rules: names },
    });
    return jobs;
  });
  await s.jobs.trigger(staged);
}
