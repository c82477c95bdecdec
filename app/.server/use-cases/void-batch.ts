import { recordAudit } from "../db/repositories/audit-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { transitionOf } from "../domain/key-states.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { refreshLowStock } from "./refresh-low-stock.ts";
import { poolStockChanged } from "./schedule-stock-sync.ts";

/**
 * Withdraws a batch's unsold keys (a bad supplier file): every key the `void` transition allows
 * moves in one conditional UPDATE; sold keys are untouched.
 */
export async function voidBatch(s: Pick<Services, "db" | "jobs">, accountId: string, batchId: string, actor: Actor): Promise<{ voided: number }> {
  const batch = await s.db.selectFrom("key_batches").select(["id", "pool_id", "status"]).where("account_id", "=", accountId).where("id", "=", batchId).executeTakeFirst();
  if (!batch || batch.status !== "active") throw new InvalidInputError("batch_not_found", "no such batch", { params: { id: batchId } });
  const { from, to } = transitionOf("void");
  const now = new Date().toISOString();
  const voided = await s.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable("keys")
      .set({ state: to, state_changed_at: now })
      .where("account_id", "=", accountId)
      .where("batch_id", "=", batchId)
      .where("state", "in", [...from])
      .executeTakeFirst();
    await trx.updateTable("key_batches").set({ voided_at: now }).where("id", "=", batchId).execute();
    const n = Number(r.numUpdatedRows);
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "batch.voided", subjectType: "key_batch", subjectId: batchId, details: { voided: n } });
    return n;
  });
  await refreshLowStock(s, accountId, batch.pool_id);
  await poolStockChanged(s, accountId, batch.pool_id);
  return { voided };
}
