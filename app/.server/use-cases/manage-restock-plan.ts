import { recordAudit } from "../db/repositories/audit-repo.ts";
import { setPoolRestockPlan } from "../db/repositories/pools-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { parseRestockPlan, type RestockPlan } from "../domain/restock-plan.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/** Sets a pool's restock plan (lead time, service level, days-of-cover alert); audited. Another account's pool is not found. */
export async function setRestockPlan(s: Pick<Services, "db">, accountId: string, poolId: string, raw: Parameters<typeof parseRestockPlan>[0], by: Actor & { ip?: string | null }): Promise<RestockPlan> {
  const plan = parseRestockPlan(raw);
  if (!(await setPoolRestockPlan(s.db, accountId, poolId, plan))) throw new InvalidInputError("pool_not_found", "no such pool", { params: { id: poolId } });
  // A changed alert re-arms: the next check alerts if the stock is already short.
  await s.db.updateTable("pools").set({ cover_alerted_at: null }).where("id", "=", poolId).execute();
  await recordAudit(s.db, { accountId, actorType: by.type, actorId: by.id ?? null, action: "pool.restock_plan_changed", subjectType: "pool", subjectId: poolId, details: { ...plan }, ip: by.ip ?? null });
  return plan;
}
