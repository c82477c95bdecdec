import { transitionOf } from "../domain/key-states.ts";
import type { Services } from "../ports.ts";
import { refreshLowStock } from "./refresh-low-stock.ts";
import { poolStockChanged } from "./schedule-stock-sync.ts";

/**
 * Moves available keys past their expiry to `expired` (never allocated again), in bounded
 * conditional UPDATEs, then re-checks low stock for the pools that lost keys. Run by workers on a
 * schedule; safe to run from several at once.
 */
export async function expireKeys(s: Pick<Services, "db" | "jobs">, now = new Date(), chunk = 5_000): Promise<{ expired: number }> {
  const { from, to } = transitionOf("expire");
  const at = now.toISOString();
  let expired = 0;
  const pools = new Map<string, string>();
  for (;;) {
    const due = await s.db
      .selectFrom("keys")
      .select(["id", "pool_id", "account_id"])
      .where("state", "in", [...from])
      .where("expires_at", "is not", null)
      .where("expires_at", "<=", at)
      .limit(chunk)
      .execute();
    if (due.length === 0) break;
    const r = await s.db
      .updateTable("keys")
      .set({ state: to, state_changed_at: at })
      .where("id", "in", due.map((d) => d.id))
      .where("state", "in", [...from])
      .executeTakeFirst();
    expired += Number(r.numUpdatedRows);
    for (const d of due) pools.set(d.pool_id, d.account_id);
    if (due.length < chunk) break;
  }
  for (const [poolId, accountId] of pools) {
    await refreshLowStock(s, accountId, poolId);
    await poolStockChanged(s, accountId, poolId);
  }
  return { expired };
}
