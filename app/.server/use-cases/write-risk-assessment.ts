import { isHostError, type HostError } from "../../../connectors/host-error.ts";
import { readAccountSettings } from "../db/repositories/account-settings-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { getDecision, setHostAssessment, type StoredDecision } from "../db/repositories/risk-decisions-repo.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { revisedHostRiskOf, riskAssessmentOf } from "../domain/host-risk.ts";
import { IgnoredError, PermanentError, RetryableError } from "../domain/errors.ts";
import { storeIsInactive } from "../domain/store-status.ts";
import type { JobContext, StagedJob } from "../jobs/job-queue.ts";
import type { Order, Store } from "../db/schema.ts";
import type { Services } from "../ports.ts";
import { textTranslator } from "../../i18n/i18n.ts";

/** Stages the write of keyrelay's verdict to the host order, in the transaction that decided it. */
export function stageRiskAssessment(s: Pick<Services, "jobs">, trx: Executor, accountId: string, orderId: string): Promise<StagedJob> {
  // Not merged with a waiting write: each decision (the gate's, then a review's) writes its own verdict.
  return s.jobs.stage(trx, "write-risk-assessment", { orderId }, { accountId });
}

/**
 * The `write-risk-assessment` job: keyrelay's verdict on the host order (Shopify
 * orderRiskAssessmentCreate), in the account's language, so the merchant sees it in the Shopify
 * admin too. Throttled or down → retried; a missing scope, a vanished order or a fulfilled one →
 * recorded on the decision (host_assessment skipped) and audited, never retried, never blocking
 * delivery (the keys were staged before this job exists).
 */
export async function writeRiskAssessment(s: Pick<Services, "db" | "connectors">, p: { orderId: string }): Promise<void> {
  const order = await s.db.selectFrom("orders").select(["id", "account_id", "store_id", "external_id"]).where("id", "=", p.orderId).executeTakeFirst();
  if (!order) return;
  const decision = await getDecision(s.db, order.account_id, order.id);
  if (!decision || decision.review_status === "waiting") return;
  const store = order.store_id ? await findStoreById(s.db, order.store_id) : undefined;
  if (!store || storeIsInactive(store.status)) {
    await setHostAssessment(s.db, order.account_id, order.id, "skipped", "the store is not connected");
    return;
  }
  const sent = await sendVerdict(s, order, store, decision);
  await recordVerdict(s.db, order, sent);
  const e = sent.refused;
  // A missing scope or a vanished/fulfilled order: nothing to do until the merchant acts. Our
  // own input refused (invalid) is a bug to see: parked.
  if (e && e.kind === "invalid" && e.code !== "ORDER_ALREADY_FULFILLED") throw new PermanentError("host_invalid", e.message);
  if (e) throw new IgnoredError(`host_${e.kind}`, e.message);
}

/** What became of a verdict sent to the host; `refused`: the host's refusal (recorded as skipped and audited). */
export interface SentVerdict {
  outcome: "written" | "skipped";
  error: string | null;
  refused?: HostError;
}

/**
 * The verdict of an order delivered at once, sent by its deliver-order job after the keys
 * (decision marked with_delivery by the gate): one job per order instead of two. Returns what to
 * record (the caller records it with the delivery's outcome, one commit), or "handed over": the
 * host was briefly unavailable and a write-risk-assessment job of its own now retries it (staged
 * here). null: nothing was due. Never fails the delivery.
 */
export async function sendVerdictWithDelivery(
  s: Pick<Services, "db" | "connectors" | "jobs">,
  order: Pick<Order, "id" | "account_id" | "external_id">,
  store: Store,
  log?: Pick<JobContext, "log">["log"],
): Promise<SentVerdict | "handed over" | null> {
  const decision = await getDecision(s.db, order.account_id, order.id);
  if (decision?.host_assessment !== "with_delivery") return null;
  try {
    const sent = await sendVerdict(s, order, store, decision);
    if (sent.refused) log?.warn({ orderId: order.id, err: sent.refused.message }, "keyrelay's verdict was not written to the host order");
    return sent;
  } catch (e) {
    if (!(e instanceof RetryableError)) throw e;
    const staged = await s.db.transaction().execute(async (trx) => {
      const taken = await trx.updateTable("risk_decisions").set({ host_assessment: null }).where("order_id", "=", order.id).where("host_assessment", "=", "with_delivery").executeTakeFirst();
      return Number(taken.numUpdatedRows) ? [await stageRiskAssessment(s, trx, order.account_id, order.id)] : [];
    });
    await s.jobs.trigger(staged);
    return "handed over";
  }
}

/** Records a sent verdict on the decision (a refusal audited too), in the caller's executor. */
export async function recordVerdict(db: Executor, order: Pick<Order, "id" | "account_id">, v: SentVerdict): Promise<void> {
  await setHostAssessment(db, order.account_id, order.id, v.outcome, v.error);
  const e = v.refused;
  if (e) await recordAudit(db, { accountId: order.account_id, actorType: "system", action: "risk.host_assessment_skipped", subjectType: "order", subjectId: order.id, details: { kind: e.kind, code: e.code, reason: e.message } });
}

/** Sends the decision's verdict to the host order; the host briefly unavailable → RetryableError. */
async function sendVerdict(s: Pick<Services, "db" | "connectors">, order: Pick<Order, "id" | "account_id" | "external_id">, store: Store, decision: StoredDecision): Promise<SentVerdict> {
  const settings = await readAccountSettings(s.db, order.account_id);
  const t = textTranslator(settings?.["account.language"] ?? "en");
  const a = riskAssessmentOf({ reviewStatus: decision.review_status as Exclude<typeof decision.review_status, "waiting">, matched: decision.matched, hostRiskUnavailable: Boolean(decision.facts.hostRiskUnavailable), revisedTo: decision.reviewed_by_type === "system" ? revisedHostRiskOf(decision.review_reason) : null });
  const facts = a.facts.map((f) => ({
    description: t(`hostRisk.assessment.${f.key}`, { ...f.params, action: f.params.action ? t(`risk.actions.${f.params.action}`) : "" }),
    sentiment: f.sentiment,
  }));
  try {
    const outcome = await (await s.connectors.forStore(store)).writeRiskAssessment(order.external_id, { riskLevel: a.riskLevel, facts });
    return outcome === "written" ? { outcome: "written", error: null } : { outcome: "skipped", error: "the host has no risk assessments" };
  } catch (e) {
    if (!isHostError(e)) throw e;
    if (e.kind === "retryable") throw new RetryableError("host_unavailable", e.message, { retryAfterMs: e.retryAfterMs ?? undefined });
    return { outcome: "skipped", error: e.message, refused: e };
  }
}
