import { sql } from "kysely";
import {
  applyDeliveryDeltas,
  applyRollupDeltas,
  clearDirtyOrders,
  countDirtyOrders,
  loadFactInputs,
  lockDirtyOrders,
  readDirtyOrders,
  readStoredFacts,
  replaceFacts,
} from "../db/repositories/report-facts-repo.ts";
import { deriveBuyerPurchases } from "../db/repositories/report-buyers-repo.ts";
import { applyProductDeltas, readStoredProducts, replaceProducts } from "../db/repositories/report-products-repo.ts";
import { computeOrderProducts, productDelta, type ProductFact } from "../domain/report-products.ts";
import { computeOrderFacts, deliveryDelta, rollupDelta, type FactRow } from "../domain/report-facts.ts";
import type { Services } from "../ports.ts";

export const REFRESH_BATCH = 200;

export interface RefreshResult {
  /** Orders whose facts were recomputed and counted. */
  refreshed: number;
  /** Orders still marked (changed while this ran, held by a transaction, or beyond maxBatches). */
  pending: number;
  /** Another process was refreshing (Postgres): nothing was done here. */
  busy: boolean;
}

/**
 * Brings the report rollups up to date with the orders changed since the last run. Each batch:
 * read the marked orders and compute their facts (outside any transaction), then in one
 * transaction subtract what the rollups held for them, add the new facts, and clear the marks
 * that were not bumped meanwhile. Rollup == sum of stored facts after every commit, so a crash at
 * any point loses nothing and counts nothing twice; a re-run just finishes the work.
 *
 * One refresher at a time on Postgres (a transaction-scoped advisory lock); on SQLite the single
 * writer orders them.
 */
export async function refreshReportRollups(
  s: Pick<Services, "db" | "database">,
  opts: { batch?: number; maxBatches?: number; hooks?: RefreshHooks; /** false: leave the buyer rows to the caller (report rebuild derives them all at the end). */ buyers?: boolean } = {},
): Promise<RefreshResult> {
  const batch = opts.batch ?? REFRESH_BATCH;
  const maxBatches = opts.maxBatches ?? Number.POSITIVE_INFINITY;
  let refreshed = 0;
  const seen = new Set<string>();
  for (let round = 0; round < maxBatches; round++) {
    const dirty = (await readDirtyOrders(s.db, batch + seen.size)).filter((d) => !seen.has(d.orderId)).slice(0, batch);
    if (dirty.length === 0) break;
    const readVersion = new Map(dirty.map((d) => [d.orderId, d.version]));
    const inputs = await loadFactInputs(s.db, dirty.map((d) => d.orderId));
    const fresh = new Map<string, FactRow[]>();
    const freshProducts = new Map<string, ProductFact[]>();
    for (const d of dirty) {
      const input = inputs.get(d.orderId);
      fresh.set(d.orderId, input ? computeOrderFacts(input.order, input.lines, input.units, input.timeZone) : []);
      freshProducts.set(d.orderId, input ? computeOrderProducts(input.order, input.lines, input.timeZone) : []);
    }
    const outcome = await s.db.transaction().execute(async (trx) => {
      if (s.database.dialect === "postgres") {
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtextextended('keyrelay:report-refresh:' || current_schema(), 0)) as ok`.execute(trx);
        if (!got.rows[0]?.ok) return "busy" as const;
      }
      const locked = await lockDirtyOrders(trx, s.database.dialect, [...readVersion.keys()]);
      const ids = locked.map((l) => l.orderId);
      if (ids.length === 0) return 0;
      const stored = await readStoredFacts(trx, ids);
      const next = ids.flatMap((id) => fresh.get(id) ?? []);
      await applyRollupDeltas(trx, [...rollupDelta(stored, next).values()]);
      await applyDeliveryDeltas(trx, deliveryDelta(stored, next));
      const nextProducts = ids.flatMap((id) => freshProducts.get(id) ?? []);
      await applyProductDeltas(trx, productDelta(await readStoredProducts(trx, ids), nextProducts));
      await replaceProducts(trx, ids, nextProducts);
      await replaceFacts(trx, ids, next);
      // Repurchase: the buyers these orders had before and have now get their rows re-derived.
      if (opts.buyers !== false) {
        for (const [accountId, buyers] of buyersOf([...stored, ...next])) await deriveBuyerPurchases(trx, s.database.dialect, accountId, [...buyers]);
      }
      await opts.hooks?.beforeClear?.();
      // Bumped since it was read: the facts above may be stale, so it stays marked for the next round.
      await clearDirtyOrders(trx, locked.filter((l) => l.version === readVersion.get(l.orderId)));
      return ids.length;
    });
    if (outcome === "busy") return { refreshed, pending: await countDirtyOrders(s.db), busy: true };
    refreshed += outcome;
    // Orders held by another transaction or bumped meanwhile are skipped for the rest of this run.
    for (const d of dirty) seen.add(d.orderId);
    if (dirty.length < batch) break;
  }
  return { refreshed, pending: await countDirtyOrders(s.db), busy: false };
}

function buyersOf(rows: readonly FactRow[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    if (r.buyer === null) continue;
    const set = out.get(r.accountId) ?? new Set<string>();
    set.add(r.buyer);
    out.set(r.accountId, set);
  }
  return out;
}

/** Test seams: a crash between the rollup write and the commit. */
export interface RefreshHooks {
  beforeClear?: () => Promise<void>;
}
