import { AccountScope } from "../db/repositories/account-scope.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { markDeliveryPending } from "../db/repositories/deliveries-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/**
 * An admin asks for the delivery email again (the buyer lost it, typed a wrong address and the
 * merchant fixed it on the host). Looked up through the account, so one merchant cannot mail
 * another's order. The job is queued, not sent here: the same handler, retries and skip rules as
 * any delivery email, except that "already sent" does not stop a resend. Its own dedupe key keeps
 * it from merging into a waiting delivery job (which would skip unchanged content); a double
 * click merges into one.
 */
export async function resendOrderEmail(
  s: Pick<Services, "db" | "jobs">,
  accountId: string,
  orderId: string,
  actor: Actor & { ip?: string | null },
): Promise<{ jobId: number }> {
  const order = await new AccountScope(s.db, accountId).getOrder(orderId);
  if (!order || !order.store_id) throw new InvalidInputError("order_not_found", "no such order", { field: "orderId" });
  const staged = await s.db.transaction().execute(async (trx) => {
    await markDeliveryPending(trx, accountId, order.id, "email", new Date().toISOString());
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "order.email_resent", subjectType: "order", subjectId: order.id, ip: actor.ip ?? null });
    return s.jobs.stage(trx, "send-email", { orderId: order.id, kind: "resend" }, { accountId, dedupeKey: `send-email-resend:${order.id}` });
  });
  await s.jobs.trigger([staged]);
  return { jobId: staged.id };
}
