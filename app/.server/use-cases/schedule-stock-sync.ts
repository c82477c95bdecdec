import crypto from "node:crypto";
import { poolSyncKeyPrefix, readPoolStock } from "../db/repositories/stock-sync-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { syncSlot } from "../domain/stock-level.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";

type Deps = Pick<Services, "jobs" | "config">;

/**
 * Asks for a sync of the pool's mapped items after its available count changed, inside the
 * caller's transaction (outbox). Every request in one coalescing window merges into one pending
 * job (the dedupe key names the window), which runs after the window closes and reads the count
 * then: a burst of 1,000 orders is one host update per mapped item.
 *
 * A window's key can never be asked for again once its job has started (the job starts after the
 * window ended), so a retried job never collides with a newer pending one.
 */
export function stageStockSync(s: Deps, trx: Executor, accountId: string, poolId: string, now = Date.now()): Promise<StagedJob> {
  const slot = syncSlot(now, s.config.stock.syncWindowMs);
  return s.jobs.stage(trx, "sync-stock", { accountId, poolId }, { accountId, dedupeKey: `${poolSyncKeyPrefix(poolId)}${slot.window}`, delayMs: slot.runAtMs - now });
}

/** The same, outside a transaction (after an import, an expiry run). */
export async function scheduleStockSync(s: Deps & Pick<Services, "db">, accountId: string, poolId: string): Promise<void> {
  await s.jobs.trigger([await stageStockSync(s, s.db, accountId, poolId)]);
}

/**
 * A pool's stock changed outside an order, after its change committed (import, void, expiry: one
 * event each, nothing to coalesce): a sync of its own, at once. Keys that arrive while paid units
 * wait go to those buyers first (fill-backorders), and the host shows 0 until they are served;
 * the sync reads the count when it runs, so it shows what is left.
 */
export async function poolStockChanged(s: Pick<Services, "db" | "jobs">, accountId: string, poolId: string): Promise<void> {
  const stock = await readPoolStock(s.db, poolId);
  if (stock.backordersWaiting && stock.available > 0) {
    await s.jobs.enqueue("fill-backorders", { accountId, poolId }, { accountId, dedupeKey: `fill-backorders:${poolId}` });
  }
  await s.jobs.enqueue("sync-stock", { accountId, poolId }, { accountId, dedupeKey: `${poolSyncKeyPrefix(poolId)}stock:${crypto.randomUUID()}` });
}

/**
 * "Sync now" and drift repair: read the host back and correct it. Each request is its own job
 * (a unique key), run at once, or after `delayMs` when it is stepping aside for a running sync.
 */
export function requestVerifySync(s: Deps, accountId: string, poolId: string, opts: { retryBroken: boolean; delayMs?: number; tag?: string }): Promise<StagedJob> {
  const key = `${poolSyncKeyPrefix(poolId)}${opts.tag ?? "verify"}:${crypto.randomUUID()}`;
  return s.jobs.enqueue("sync-stock", { accountId, poolId, mode: "verify", retryBroken: opts.retryBroken }, { accountId, dedupeKey: key, delayMs: opts.delayMs });
}
