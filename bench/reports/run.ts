/**
 * Reports at size (issue 15). Prints; asserts nothing.
 *
 * 1. Query speed (each report run warm REPEAT times; the raw-row query 3 times): a generated history (default 1,000,000 orders over two years, 50 pools, 5
 *    stores), rolled up by `report rebuild`'s code path; then each report (and one pool's
 *    forecast) run warm, p50 / p95 ms, beside the same figure computed from the raw rows in the
 *    same run.
 * 2. Hot-path cost of keeping the rollups: statements the order path sends per order (the
 *    triggers add none; they run inside the statements), ms per order applied with the triggers
 *    and with them dropped, in the same run, and the refresher's ms per order folded in.
 *
 *   node bench/reports/run.ts [--orders 1000000] [--only sqlite|postgres] [--repeat 20] [--hot 300]
 */
import { parseArgs } from "node:util";
import { sql, type KyselyPlugin } from "kysely";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { addDays } from "../../app/.server/domain/report-day.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { getPoolForecast } from "../../app/.server/use-cases/get-pool-forecast.ts";
import { getDeliveryReport, getMarginReport, getProductReport, getRepurchaseReport, getSalesReport } from "../../app/.server/use-cases/get-reports.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { rebuildReportRollups } from "../../app/.server/use-cases/rebuild-report-rollups.ts";
import { refreshReportRollups } from "../../app/.server/use-cases/refresh-report-rollups.ts";
import { makeShop, paidOrder, stockPool } from "../../test/support/fulfilment-fixtures.ts";
import { writeSalesHistory } from "../../test/support/sales-history.ts";
import { makeServices, type TestDialect } from "../../test/support/test-services.ts";
import { dropReportTriggers } from "../report-triggers.ts";

const { values } = parseArgs({ options: { orders: { type: "string", default: "1000000" }, only: { type: "string" }, repeat: { type: "string", default: "20" }, hot: { type: "string", default: "300" } } });
const ORDERS = Number(values.orders);
const REPEAT = Number(values.repeat);
const HOT = Number(values.hot);
const DAYS = 730;
const cli = { type: "cli" as const };

function pct(list: number[], p: number): number {
  const v = [...list].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];
}

async function timed(fn: () => Promise<unknown>, repeat = REPEAT): Promise<{ p50: number; p95: number }> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    t.push(performance.now() - start);
  }
  return { p50: pct(t, 50), p95: pct(t, 95) };
}

async function querySpeed(dialect: TestDialect) {
  const s = await makeServices({ dialect });
  try {
    const account = await createAccount(s.db, { name: "Bench" });
    const stores: string[] = [];
    for (let i = 0; i < 5; i++) stores.push((await insertStore(s.db, { accountId: account.id, platform: i % 2 ? "shopify" : "woocommerce", domain: `bench-${i}.example`, name: `Store ${i}` })).id);
    const pools: { id: string; weight: number; priceMinor: number; costMinor: number | null; supplier: string }[] = [];
    for (let i = 0; i < 50; i++) pools.push({ id: (await createPool(s, account.id, { name: `Pool ${i}` }, cli)).id, weight: 1 / (i + 1), priceMinor: 500 + 100 * (i % 20), costMinor: i % 10 === 9 ? null : 350 + 70 * (i % 20), supplier: `Supplier ${i % 4}` });
    const today = new Date().toISOString().slice(0, 10);
    let t0 = performance.now();
    const written = await writeSalesHistory(s.db, {
      accountId: account.id,
      storeIds: stores,
      pools,
      endDay: today,
      days: DAYS,
      ordersPerDay: ORDERS / DAYS,
      currency: "USD",
      buyers: Math.round(ORDERS / 3),
      seed: 1,
      deliveryDelays: true,
      onProgress: (n) => {
        if (n % 100_000 < 400) process.stderr.write(`\r  ${dialect}: ${n} orders written`);
      },
    });
    const writeS = (performance.now() - t0) / 1000;
    process.stderr.write("\n");
    t0 = performance.now();
    const rebuilt = await rebuildReportRollups(s, account.id, cli, (d, total) => {
      if (d % 50_000 < 2000) process.stderr.write(`\r  ${dialect}: ${d} / ${total} orders rolled up`);
    });
    const rebuildS = (performance.now() - t0) / 1000;
    process.stderr.write("\n");
    if (dialect === "postgres") await sql`analyze`.execute(s.db);
    else await sql`analyze`.execute(s.db);
    console.log(`\n${dialect}: ${written.orders} orders, ${written.keys} keys over ${DAYS} days, 50 pools, 5 stores`);
    console.log(`  written in ${writeS.toFixed(0)} s; rolled up from scratch in ${rebuildS.toFixed(0)} s (${Math.round(written.orders / rebuildS)} orders/s); ${rebuilt.rollupRows} rollup rows; check ${rebuilt.check.ok ? "equal" : "DIFFERENT"}`);
    const ranges = { "30d": { from: addDays(today, -29), to: today }, "90d": { from: addDays(today, -89), to: today }, "730d": { from: addDays(today, -729), to: today } };
    const a = account.id;
    const raw = {
      // The same figures straight from orders and lines (and allocations + keys for the cost).
      salesByDay: (r: { from: string; to: string }) =>
        sql`select substr(cast(o.placed_at as text), 1, 10) as d, o.currency, count(distinct o.id), sum(l.quantity * l.units_per_item), sum(l.quantity * l.unit_price_minor)
            from orders o join order_lines l on l.order_id = o.id where o.account_id = ${a} and o.placed_at >= ${r.from} and o.placed_at < ${addDays(r.to, 1)} group by 1, 2`.execute(s.db),
      salesByPool: (r: { from: string; to: string }) =>
        sql`select l.pool_id, o.currency, count(distinct o.id), sum(l.quantity), sum(l.quantity * l.unit_price_minor), sum(l.refunded_quantity * l.unit_price_minor)
            from orders o join order_lines l on l.order_id = o.id where o.account_id = ${a} and o.placed_at >= ${r.from} and o.placed_at < ${addDays(r.to, 1)} group by 1, 2`.execute(s.db),
      margin: (r: { from: string; to: string }) =>
        sql`select l.pool_id, sum(k.cost_minor), count(*) from orders o join order_lines l on l.order_id = o.id join allocations al on al.order_line_id = l.id join keys k on k.id = al.key_id
            where o.account_id = ${a} and o.placed_at >= ${r.from} and o.placed_at < ${addDays(r.to, 1)} group by 1`.execute(s.db),
      delivery: (r: { from: string; to: string }) =>
        sql`select substr(cast(o.placed_at as text), 1, 10) as d, o.id, max(al.fulfilled_at) from orders o join order_lines l on l.order_id = o.id join allocations al on al.order_line_id = l.id
            where o.account_id = ${a} and o.placed_at >= ${r.from} and o.placed_at < ${addDays(r.to, 1)} group by 1, 2`.execute(s.db),
      products: (r: { from: string; to: string }) =>
        sql`select o.store_id, l.product_id, l.variant_id, o.currency, count(distinct o.id), sum(l.quantity), sum(l.quantity * l.unit_price_minor)
            from orders o join order_lines l on l.order_id = o.id where o.account_id = ${a} and o.placed_at >= ${r.from} and o.placed_at < ${addDays(r.to, 1)} group by 1, 2, 3, 4`.execute(s.db),
      repurchase: (r: { from: string; to: string }) =>
        sql`select o.email, count(*) from orders o where o.account_id = ${a} and o.placed_at >= ${r.from} and o.placed_at < ${addDays(r.to, 1)} group by 1 having count(*) > 1`.execute(s.db),
    };
    const rows: [string, () => Promise<unknown>, (() => Promise<unknown>) | null][] = [];
    for (const [name, r] of Object.entries(ranges)) {
      rows.push([`sales by day ${name}`, () => getSalesReport(s, a, { ...r, groupBy: "day" }), () => raw.salesByDay(r)]);
      rows.push([`best sellers ${name}`, () => getSalesReport(s, a, { ...r, groupBy: "pool" }), () => raw.salesByPool(r)]);
      rows.push([`margin by pool ${name}`, () => getMarginReport(s, a, { ...r, groupBy: "pool" }), () => raw.margin(r)]);
    }
    for (const [name, r] of Object.entries(ranges)) {
      rows.push([`channels ${name}`, () => getSalesReport(s, a, { ...r, groupBy: "channel" }), null]);
      rows.push([`margin by supplier ${name}`, () => getMarginReport(s, a, { ...r, groupBy: "supplier" }), null]);
    }
    for (const [name, r] of Object.entries(ranges)) {
      rows.push([`repurchase ${name}`, () => getRepurchaseReport(s, a, r), () => raw.repurchase(r)]);
      rows.push([`delivery ${name}`, () => getDeliveryReport(s, a, r), () => raw.delivery(r)]);
      rows.push([`products ${name}`, () => getProductReport(s, a, r), () => raw.products(r)]);
    }
    rows.push(["forecast, best pool", () => getPoolForecast(s, a, pools[0].id, { days: 30 }), null]);
    // What the Reports page's loader asks for at once (app/.server/http/report-pages.ts).
    for (const [name, r] of Object.entries(ranges)) {
      rows.push([
        `whole page ${name}`,
        () =>
          Promise.all([
            getSalesReport(s, a, { ...r, groupBy: name === "730d" ? "month" : "day" }),
            getSalesReport(s, a, { ...r, groupBy: "pool" }),
            getSalesReport(s, a, { ...r, groupBy: "store" }),
            getSalesReport(s, a, { ...r, groupBy: "channel" }),
            getMarginReport(s, a, { ...r, groupBy: "pool" }),
            getRepurchaseReport(s, a, r),
            getDeliveryReport(s, a, r),
            getProductReport(s, a, { ...r, limit: 10 }),
            getPoolForecast(s, a, pools[0].id, { days: 30 }),
          ]),
        null,
      ]);
    }
    console.log(`  ${"report".padEnd(26)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)}   raw rows p50 / max of 3, ms`);
    for (const [name, fn, rawFn] of rows) {
      const r = await timed(fn);
      // The raw-row query takes seconds at this size: three runs give its median.
      const w = rawFn ? await timed(rawFn, 3) : null;
      console.log(`  ${name.padEnd(26)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}   ${w ? `${w.p50.toFixed(1)} / ${w.p95.toFixed(1)} (${(w.p50 / r.p50).toFixed(1)}× slower)` : "–"}`);
    }
  } finally {
    await s.cleanup();
  }
}

async function hotPath(dialect: TestDialect, triggers: boolean) {
  const s = await makeServices({ dialect });
  try {
    if (!triggers) await dropReportTriggers(s.db, s.database.dialect);
    const shop = await makeShop(s);
    await stockPool(s, shop.accountId, shop.poolId, Array.from({ length: HOT + 10 }, (_, i) => `H-${i}`));
    let statements = 0;
    const counter: KyselyPlugin = { transformQuery: (x) => (statements++, x.node), transformResult: async (x) => x.result };
    const counted = { ...s, db: s.db.withPlugin(counter) };
    const start = performance.now();
    for (let i = 0; i < HOT; i++) await applyHostOrder(counted, shop.store, paidOrder({ email: `b${i % 40}@example.com` }));
    const ms = (performance.now() - start) / HOT;
    const perOrder = statements / HOT;
    let refreshMs = 0;
    if (triggers) {
      const t = performance.now();
      const r = await refreshReportRollups(s);
      refreshMs = (performance.now() - t) / Math.max(1, r.refreshed);
    }
    return { perOrder, ms, refreshMs };
  } finally {
    await s.cleanup();
  }
}

for (const dialect of (values.only ? [values.only] : ["sqlite", "postgres"]) as TestDialect[]) {
  // A warm-up run first (JIT, page cache), then the two set-ups alternated, twice each.
  await hotPath(dialect, true);
  const runs = { without: [] as Awaited<ReturnType<typeof hotPath>>[], with: [] as Awaited<ReturnType<typeof hotPath>>[] };
  for (let i = 0; i < 2; i++) {
    runs.without.push(await hotPath(dialect, false));
    runs.with.push(await hotPath(dialect, true));
  }
  const mean = (l: { ms: number }[]) => l.reduce((n, r) => n + r.ms, 0) / l.length;
  const base = mean(runs.without);
  const withMs = mean(runs.with);
  console.log(`\n${dialect}: hot path, ${HOT} orders applied one after another (alternated runs, mean of two each)`);
  console.log(`  without rollup triggers  ${runs.without[0].perOrder.toFixed(1)} statements/order  ${base.toFixed(2)} ms/order (${runs.without.map((r) => r.ms.toFixed(2)).join(", ")})`);
  console.log(`  with rollup triggers     ${runs.with[0].perOrder.toFixed(1)} statements/order  ${withMs.toFixed(2)} ms/order (${runs.with.map((r) => r.ms.toFixed(2)).join(", ")}; ${((withMs / base - 1) * 100).toFixed(0)}%)`);
  console.log(`  refresher, off the order path: ${runs.with[1].refreshMs.toFixed(2)} ms per order folded in`);
  if (ORDERS > 0) await querySpeed(dialect);
}
process.exit(0);
