import { setUnitStatus, transitionKeys } from "../db/repositories/allocations-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { markDeliveryPending } from "../db/repositories/deliveries-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";

/**
 * The merchant withdraws one delivered or allocated key from an order (a chargeback, a key reported
 * as leaked): the key is revoked — never sold again — and the unit is released; the host order's
 * keyrelay block is rewritten without it. The unit is not re-filled: re-run or refund as needed.
 */
export async function revokeOrderKey(
  s: Pick<Services, "db" | "jobs" | "config">,
  accountId: string,
  allocationId: number,
  actor: Actor,
  scope: { orderId?: string } = {},
): Promise<{ orderId: string; keyId: number }> {
  const staged: StagedJob[] = [];
  const result = await s.db.transaction().execute(async (trx) => {
    const unit = await trx
      .selectFrom("allocations as a")
      .innerJoin("order_lines as l", "l.id", "a.order_line_id")
      .select(["a.id", "a.status", "a.key_id", "a.pool_id", "l.order_id"])
      .where("a.account_id", "=", accountId)
      .where("a.id", "=", allocationId)
      .$if(scope.orderId !== undefined, (q) => q.where("l.order_id", "=", scope.orderId!))
      .executeTakeFirst();
    // Another account's (or, from an order's page, another order's) unit is an unknown one: 404.
    if (!unit) throw new InvalidInputError("allocation_not_found", "no such key in this order", { field: "allocationId", params: { id: allocationId } });
    if (unit.status !== "allocated" || unit.key_id === null) throw new InvalidInputError("allocation_not_revocable", "no allocated key with this id", { params: { id: allocationId } });
    if (!(await setUnitStatus(trx, unit.id, "allocated", "revoked"))) throw new InvalidInputError("allocation_not_revocable", "the key was released meanwhile", { params: { id: allocationId } });
    const now = new Date().toISOString();
    await transitionKeys(trx, [Number(unit.key_id)], "revoke", now);
    await markDeliveryPending(trx, accountId, unit.order_id, "note", now);
    staged.push(await s.jobs.stage(trx, "deliver-order", { orderId: unit.order_id }, { accountId, dedupeKey: `deliver-order:${unit.order_id}` }));
    staged.push(await stageStockSync(s, trx, accountId, unit.pool_id));
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "key.revoked", subjectType: "key", subjectId: String(unit.key_id), details: { orderId: unit.order_id, allocationId, poolId: unit.pool_id } });
    return { orderId: unit.order_id, keyId: Number(unit.key_id) };
  });
  await s.jobs.trigger(staged);
  return result;
}
