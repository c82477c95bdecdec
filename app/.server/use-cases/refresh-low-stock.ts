import { countAvailableUpTo, setLowStockAlerted } from "../db/repositories/pools-repo.ts";
import { lowStockChange } from "../domain/low-stock.ts";
import type { Services } from "../ports.ts";

/**
 * After a pool's available count changed: when it crossed below the threshold, flag the pool
 * (dashboard banner) and send one alert; when restocked to the threshold or above, clear the flag
 * so the next dip alerts again. The flag update is conditional, so two racing calls alert once.
 */
export async function refreshLowStock(s: Pick<Services, "db" | "jobs">, accountId: string, poolId: string): Promise<"alerted" | "cleared" | "unchanged"> {
  const pool = await s.db.selectFrom("pools").select(["low_stock_threshold", "low_stock_alerted_at"]).where("account_id", "=", accountId).where("id", "=", poolId).executeTakeFirst();
  if (!pool) return "unchanged";
  // Only "below the threshold or not" matters here: the count stops at the threshold.
  const available = pool.low_stock_threshold > 0 ? await countAvailableUpTo(s.db, poolId, pool.low_stock_threshold) : 0;
  const change = lowStockChange({ available, threshold: pool.low_stock_threshold, alerted: pool.low_stock_alerted_at !== null });
  if (change === "alert") {
    const won = await setLowStockAlerted(s.db, accountId, poolId, true);
    if (won) await s.jobs.enqueue("low-stock-alert", { accountId, poolId }, { accountId });
    return won ? "alerted" : "unchanged";
  }
  if (change === "clear") {
    await setLowStockAlerted(s.db, accountId, poolId, false);
    return "cleared";
  }
  return "unchanged";
}
