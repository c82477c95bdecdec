import { readPoolStock, runningPoolSyncs, syncableMappings } from "../db/repositories/stock-sync-repo.ts";
import type { ProductMapping } from "../db/schema.ts";
import { IgnoredError, RetryableError } from "../domain/errors.ts";
import { sameStock, shouldDefer } from "../domain/stock-level.ts";
import type { JobPayloads } from "../jobs/job-names.ts";
import type { JobContext } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import { requestVerifySync, scheduleStockSync } from "./schedule-stock-sync.ts";
import { syncStoreStock } from "./sync-store-stock.ts";

type Deps = Pick<Services, "db" | "jobs" | "config" | "connectors">;

export interface PoolSyncReport {
  deferred: boolean;
  mappings: number;
  written: number;
  corrected: number;
  failed: number;
}

/**
 * The `sync-stock` job: sets every synced mapping of one pool, in every store, to the pool's level
 * as it is now (the count is read here, not carried in the payload, so the last value wins).
 *
 * One sync per pool at a time: a sync that finds an earlier one of the same pool still running
 * steps aside and asks for another run, so a slow older sync can never write after a newer one.
 * When the pool changed while this one was writing, another sync is asked for (the change's own
 * request may have merged into this job before it read the count).
 */
export async function syncPoolStock(s: Deps, payload: JobPayloads["sync-stock"], ctx: Pick<JobContext, "jobId" | "log">): Promise<PoolSyncReport> {
  const report: PoolSyncReport = { deferred: false, mappings: 0, written: 0, corrected: 0, failed: 0 };
  const pool = await s.db.selectFrom("pools").select("id").where("account_id", "=", payload.accountId).where("id", "=", payload.poolId).executeTakeFirst();
  if (!pool) throw new IgnoredError("pool_not_found", "the pool no longer exists");
  const liveSince = new Date(Date.now() - s.config.jobs.lockTimeoutMs).toISOString();
  if (shouldDefer(ctx.jobId, await runningPoolSyncs(s.db, pool.id, ctx.jobId, liveSince))) {
    if (payload.mode === "verify") await requestVerifySync(s, payload.accountId, pool.id, { retryBroken: payload.retryBroken ?? false, delayMs: s.config.stock.syncWindowMs });
    else await scheduleStockSync(s, payload.accountId, pool.id);
    ctx.log.debug({ poolId: pool.id }, "stock sync stepped aside for a running sync of the same pool");
    return { ...report, deferred: true };
  }

  const mode = payload.mode ?? "changes";
  const mappings = await syncableMappings(s.db, pool.id, { includeBroken: mode === "verify" && (payload.retryBroken ?? false) });
  report.mappings = mappings.length;
  if (mappings.length === 0) return report;
  const stock = await readPoolStock(s.db, pool.id);
  const byStore = new Map<string, ProductMapping[]>();
  for (const m of mappings) byStore.set(m.store_id, [...(byStore.get(m.store_id) ?? []), m]);
  const stores = await s.db.selectFrom("stores").selectAll().where("id", "in", [...byStore.keys()]).execute();

  const retry = { afterMs: 0, message: null as string | null };
  let again = false;
  for (const store of stores) {
    const r = await syncStoreStock(s, store, byStore.get(store.id)!, stock, mode, ctx.log);
    report.written += r.written;
    report.corrected += r.corrected;
    report.failed += r.failed;
    again ||= r.again;
    if (r.retryMessage !== null) {
      retry.afterMs = Math.max(retry.afterMs, r.retryAfterMs ?? 0);
      retry.message = r.retryMessage;
    }
  }
  if (again || !sameStock(stock, await readPoolStock(s.db, pool.id))) await scheduleStockSync(s, payload.accountId, pool.id);
  // The stores that answered are done; the job is retried (with backoff, at least as long as
  // the host asked) for the ones that were busy. Their items are still "changed", so the retry
  // writes only those.
  if (retry.message !== null) throw new RetryableError("host_unavailable", retry.message, { retryAfterMs: retry.afterMs || undefined });
  return report;
}
