import { setCoverAlerted } from "../db/repositories/pools-repo.ts";
import type { Services } from "../ports.ts";
import { getPoolForecast } from "./get-pool-forecast.ts";

/**
 * The days-of-cover alert, off the order path (the worker runs it periodically): for each pool
 * with an alert set, when the forecast's stock runs out within that many days (or is out), flag
 * the pool once and send the low-stock email; when a restock lifts it above, re-arm. A pool with
 * too little history alerts only when it is out of stock.
 */
export async function checkCoverAlerts(s: Pick<Services, "db" | "database" | "jobs">): Promise<{ checked: number; alerted: number; cleared: number }> {
  const pools = await s.db
    .selectFrom("pools")
    .select(["id", "account_id", "low_stock_days", "cover_alerted_at"])
    .where("low_stock_days", "is not", null)
    .where("archived_at", "is", null)
    .execute();
  let alerted = 0;
  let cleared = 0;
  for (const p of pools) {
    const f = await getPoolForecast(s, p.account_id, p.id, { days: Math.max(30, p.low_stock_days ?? 0) });
    const cover = f.available === 0 ? 0 : f.plan?.daysOfCover ?? null;
    const short = cover !== null && cover <= (p.low_stock_days ?? 0);
    if (short && p.cover_alerted_at === null) {
      if (await setCoverAlerted(s.db, p.id, true)) {
        await s.jobs.enqueue("low-stock-alert", { accountId: p.account_id, poolId: p.id, reason: "cover" }, { accountId: p.account_id });
        alerted += 1;
      }
    } else if (!short && p.cover_alerted_at !== null) {
      if (await setCoverAlerted(s.db, p.id, false)) cleared += 1;
    }
  }
  return { checked: pools.length, alerted, cleared };
}
