import { sql } from "kysely";
import { countDeliveryMismatches, countMonthMismatches, loadFactInputs, markOrdersDirty, rebuildDeliveryFromFacts, rebuildRollupsFromFacts } from "../db/repositories/report-facts-repo.ts";
import { checkBuyerPurchases, deriveBuyerPurchases } from "../db/repositories/report-buyers-repo.ts";
import { countProductMismatches, rebuildProductsFromOrders } from "../db/repositories/report-products-repo.ts";
import { allRollupRows } from "../db/repositories/report-rollups-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { computeOrderProducts, productKey } from "../domain/report-products.ts";
import { REPORT_MEASURES, computeOrderFacts, rollupKey, zeroMeasures, addMeasures, type Measures } from "../domain/report-facts.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { refreshReportRollups } from "./refresh-report-rollups.ts";

export interface RebuildResult {
  orders: number;
  rollupRows: number;
  check: RollupCheck;
}

export interface RollupCheck {
  rollupRows: number;
  expectedRows: number;
  /** Rows whose stored sums differ from a from-scratch computation over the raw rows (first 20). */
  mismatches: { key: string; measure: string; stored: number; expected: number }[];
  ok: boolean;
}

/**
 * `report rebuild`: recompute every order's facts from the raw rows, then the account's rollups
 * from the facts, then check them against a from-scratch computation. Safe while the app runs:
 * orders that change meanwhile are marked again by the triggers and folded in by the next refresh.
 */
export async function rebuildReportRollups(s: Pick<Services, "db" | "database">, accountId: string, by: Actor, onProgress?: (done: number, total: number) => void): Promise<RebuildResult> {
  const total = Number((await s.db.selectFrom("orders").select((eb) => eb.fn.countAll<number>().as("n")).where("account_id", "=", accountId).executeTakeFirstOrThrow()).n);
  await markOrdersDirty(s.db, accountId);
  // Postgres: a rebuild usually follows bulk changes (an import, a migration, a restore) that
  // autovacuum has not analysed yet; without statistics the planner read every allocation and key
  // for each batch of 500 orders (2 s a batch at a million orders, 40 ms with them).
  if (s.database.dialect === "postgres") await analyze(s, REBUILD_SOURCES);
  let done = 0;
  for (;;) {
    // Buyer rows once at the end, not once per batch a buyer's orders fall in.
    const r = await refreshReportRollups(s, { maxBatches: 10, buyers: false });
    done += r.refreshed;
    // SQLite: a rebuild rewrites the rollup pages again and again; without a checkpoint between
    // rounds the WAL grows without bound (seen: 70 GB for a million orders).
    if (s.database.dialect === "sqlite") await sql`pragma wal_checkpoint(RESTART)`.execute(s.db);
    onProgress?.(Math.min(done, total), total);
    if (r.pending === 0 || (r.refreshed === 0 && !r.busy)) break;
  }
  await s.db.transaction().execute(async (trx) => {
    if (s.database.dialect === "postgres") await sql`select pg_advisory_xact_lock(hashtextextended('keyrelay:report-refresh:' || current_schema(), 0))`.execute(trx);
    await rebuildRollupsFromFacts(trx, accountId);
    await rebuildDeliveryFromFacts(trx, accountId);
    await rebuildProductsFromOrders(trx, accountId);
    await deriveBuyerPurchases(trx, s.database.dialect, accountId);
  });
  // The rollups were just rewritten, and every order was marked and cleared: on Postgres that
  // leaves a dead row per order in report_dirty_orders and per update in the rollups until
  // autovacuum comes by, and each report first reads the dirty orders (measured at a million
  // orders: ~120 ms of every report was that read). Vacuum them now, with fresh statistics.
  if (s.database.dialect === "postgres") await vacuumAnalyze(s, ["report_dirty_orders", ...REPORT_TABLES]);
  const check = await checkReportRollups(s, accountId);
  await recordAudit(s.db, { accountId, actorType: by.type, actorId: by.id ?? null, action: "report.rebuilt", subjectType: "report", details: { orders: total, rollupRows: check.rollupRows, ok: check.ok } });
  return { orders: total, rollupRows: check.rollupRows, check };
}

const REBUILD_SOURCES = ["orders", "order_lines", "allocations", "keys", "report_dirty_orders"] as const;
const REPORT_TABLES = [
  "report_order_facts",
  "report_daily",
  "report_daily_pool",
  "report_monthly",
  "report_delivery_daily",
  "report_order_products",
  "report_product_daily",
  "report_product_monthly",
  "report_buyer_purchases",
  "report_repurchase_days",
  "report_buyer_totals",
] as const;

async function analyze(s: Pick<Services, "db">, tables: readonly string[]): Promise<void> {
  for (const t of tables) await sql`analyze ${sql.table(t)}`.execute(s.db);
}

/** VACUUM runs outside a transaction: each statement on its own pooled connection, autocommit. */
async function vacuumAnalyze(s: Pick<Services, "db">, tables: readonly string[]): Promise<void> {
  for (const t of tables) await sql`vacuum (analyze) ${sql.table(t)}`.execute(s.db);
}

/** The rollups against facts computed now from every order of the account (all-zero rows ignored). */
export async function checkReportRollups(s: Pick<Services, "db" | "database">, accountId: string): Promise<RollupCheck> {
  const expected = new Map<string, Measures>();
  const expectedProducts = new Map<string, { orders: number; units: number; revenueMinor: number }>();
  let after = "";
  for (;;) {
    const ids = (await s.db.selectFrom("orders").select("id").where("account_id", "=", accountId).where("id", ">", after).orderBy("id").limit(500).execute()).map((r) => r.id);
    if (ids.length === 0) break;
    after = ids[ids.length - 1];
    const inputs = await loadFactInputs(s.db, ids);
    for (const input of inputs.values()) {
      for (const p of computeOrderProducts(input.order, input.lines, input.timeZone)) {
        const k = productKey(p);
        const e = expectedProducts.get(k) ?? { orders: 0, units: 0, revenueMinor: 0 };
        e.orders += p.orders;
        e.units += p.units;
        e.revenueMinor += p.revenueMinor;
        expectedProducts.set(k, e);
      }
      for (const row of computeOrderFacts(input.order, input.lines, input.units, input.timeZone)) {
        const k = rollupKey(row);
        const m = expected.get(k) ?? zeroMeasures();
        addMeasures(m, row);
        expected.set(k, m);
      }
    }
  }
  const stored = new Map<string, Measures>();
  for (const r of await allRollupRows(s.db, accountId)) {
    if (REPORT_MEASURES.every((m) => r[m] === 0)) continue;
    stored.set(rollupKey({ accountId: r.account_id, day: r.day, poolId: r.pool_id, batchId: r.batch_id, storeId: r.store_id, platform: r.platform, channel: r.channel, currency: r.currency }), r);
  }
  const mismatches: RollupCheck["mismatches"] = [];
  for (const k of new Set([...expected.keys(), ...stored.keys()])) {
    const e = expected.get(k) ?? zeroMeasures();
    const st = stored.get(k) ?? zeroMeasures();
    for (const m of REPORT_MEASURES) {
      if (e[m] !== st[m] && mismatches.length < 20) mismatches.push({ key: k.replaceAll("\u0000", "|"), measure: m, stored: st[m], expected: e[m] });
    }
  }
  // The coarse table (day, pool, currency) must equal the fine one summed.
  const coarseExpected = new Map<string, Measures>();
  for (const [k, m] of expected) {
    const [acc, day, pool, , , , , currency] = k.split("\u0000");
    const ck = [acc, day, pool, currency].join("|");
    const into = coarseExpected.get(ck) ?? zeroMeasures();
    addMeasures(into, m);
    coarseExpected.set(ck, into);
  }
  const coarseStored = new Map<string, Measures>();
  for (const r of await s.db.selectFrom("report_daily_pool").selectAll().where("account_id", "=", accountId).execute()) {
    const m = Object.fromEntries(REPORT_MEASURES.map((x) => [x, Number((r as Record<string, unknown>)[x])])) as Measures;
    if (REPORT_MEASURES.every((x) => m[x] === 0)) continue;
    coarseStored.set([r.account_id, r.day, r.pool_id, r.currency].join("|"), m);
  }
  for (const k of new Set([...coarseExpected.keys(), ...coarseStored.keys()])) {
    const e = coarseExpected.get(k) ?? zeroMeasures();
    const st = coarseStored.get(k) ?? zeroMeasures();
    for (const m of REPORT_MEASURES) {
      if (e[m] !== st[m] && mismatches.length < 20) mismatches.push({ key: `pool-level|${k}`, measure: m, stored: st[m], expected: e[m] });
    }
  }
  // The monthly table must equal the daily one summed per month.
  const months = await countMonthMismatches(s.db, accountId);
  if (months > 0) mismatches.push({ key: "month-level", measure: "rows differing from the days summed", stored: months, expected: 0 });
  // Delivery-time counts must be the facts counted.
  const delivery = await countDeliveryMismatches(s.db, accountId);
  if (delivery > 0) mismatches.push({ key: "delivery-times", measure: "counts differing from the facts", stored: delivery, expected: 0 });
  // Product rows per day against the orders' lines now; per month and per order against those.
  const storedProducts = await s.db.selectFrom("report_product_daily").selectAll().where("account_id", "=", accountId).execute();
  const seenProducts = new Set<string>();
  for (const r of storedProducts) {
    const got = { orders: Number(r.orders), units: Number(r.units), revenueMinor: Number(r.revenue_minor) };
    if (got.orders === 0 && got.units === 0 && got.revenueMinor === 0) continue;
    const k = productKey({ accountId: r.account_id, day: r.day, storeId: r.store_id, productId: r.product_id, variantId: r.variant_id, currency: r.currency });
    seenProducts.add(k);
    const want = expectedProducts.get(k) ?? { orders: 0, units: 0, revenueMinor: 0 };
    for (const m of ["orders", "units", "revenueMinor"] as const) {
      if (got[m] !== want[m] && mismatches.length < 20) mismatches.push({ key: `product|${k.replaceAll("\u0000", "|")}`, measure: m, stored: got[m], expected: want[m] });
    }
  }
  for (const [k, want] of expectedProducts) {
    if (!seenProducts.has(k) && (want.orders !== 0 || want.units !== 0 || want.revenueMinor !== 0) && mismatches.length < 20) mismatches.push({ key: `product|${k.replaceAll("\u0000", "|")}`, measure: "orders", stored: 0, expected: want.orders });
  }
  const products = await countProductMismatches(s.db, accountId);
  if (products > 0) mismatches.push({ key: "products", measure: "rows differing from the orders' products", stored: products, expected: 0 });
  // The repurchase rows must be exactly what the stored facts derive.
  const buyers = await checkBuyerPurchases(s.db, s.database.dialect, accountId);
  if (buyers.extra > 0) mismatches.push({ key: "buyer-rows", measure: "rows not derived from the facts", stored: buyers.extra, expected: 0 });
  if (buyers.missing > 0) mismatches.push({ key: "buyer-rows", measure: "rows missing", stored: 0, expected: buyers.missing });
  if (buyers.counts > 0) mismatches.push({ key: "buyer-counts", measure: "day counts and buyer totals differing from the buyer rows", stored: buyers.counts, expected: 0 });
  const expectedRows = [...expected.values()].filter((m) => REPORT_MEASURES.some((x) => m[x] !== 0)).length;
  return { rollupRows: stored.size, expectedRows, mismatches, ok: mismatches.length === 0 };
}
