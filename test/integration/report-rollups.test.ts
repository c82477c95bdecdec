import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { countDirtyOrders } from "../../app/.server/db/repositories/report-facts-repo.ts";
import { sumRollups } from "../../app/.server/db/repositories/report-rollups-repo.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { getPoolForecast } from "../../app/.server/use-cases/get-pool-forecast.ts";
import { getDeliveryReport, getMarginReport, getProductReport, getRepurchaseReport, getSalesReport } from "../../app/.server/use-cases/get-reports.ts";
import { fillBackorders } from "../../app/.server/use-cases/fill-backorders.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { placeResellerOrder } from "../../app/.server/use-cases/place-reseller-order.ts";
import { authenticateReseller } from "../../app/.server/use-cases/authenticate-reseller.ts";
import { checkReportRollups, rebuildReportRollups } from "../../app/.server/use-cases/rebuild-report-rollups.ts";
import { refreshReportRollups } from "../../app/.server/use-cases/refresh-report-rollups.ts";
import { revokeOrderKey } from "../../app/.server/use-cases/revoke-order-key.ts";
import { salesCsv } from "../../app/.server/use-cases/report-csv.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, paidOrder, type Shop } from "../support/fulfilment-fixtures.ts";
import { makeReseller } from "../support/reseller-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const cli = { type: "cli" as const };
const TZ = "Asia/Shanghai";

async function* text(s: string) {
  yield new TextEncoder().encode(s);
}

/**
 * A brute-force computation over the raw rows, written independently of the rollup code: per
 * local day, pool and currency, what the reports must say.
 */
async function bruteForce(s: TestServices, accountId: string): Promise<Map<string, Record<string, number>>> {
  const day = (iso: string) => new Date(iso).toLocaleDateString("sv-SE", { timeZone: TZ });
  const lines = await s.db
    .selectFrom("orders as o")
    .innerJoin("order_lines as l", "l.order_id", "o.id")
    .select(["o.id as order_id", "o.placed_at", "o.created_at", "o.currency", "o.status", "o.risk_decision", "l.id as line_id", "l.pool_id", "l.quantity", "l.refunded_quantity", "l.unit_price_minor", "l.units_per_item"])
    .where("o.account_id", "=", accountId)
    .execute();
  const units = await s.db
    .selectFrom("allocations as al")
    .leftJoin("keys as k", "k.id", "al.key_id")
    .leftJoin("key_batches as b", "b.id", "k.batch_id")
    .leftJoin("pools as p", "p.id", "al.pool_id")
    .select(["al.order_line_id", "al.status", "al.key_id", "al.created_at", "al.fulfilled_at", "k.cost_minor", "b.currency as bc", "p.currency as pc"])
    .where("al.account_id", "=", accountId)
    .execute();
  const out = new Map<string, Record<string, number>>();
  const ordersSeen = new Set<string>();
  for (const l of lines) {
    if (l.status === "ignored" || l.risk_decision === "rejected" || !l.pool_id || l.quantity <= 0) continue;
    const ccy = l.currency ?? "";
    const k = `${day(l.placed_at ?? l.created_at)}|${l.pool_id}|${ccy}`;
    const e = out.get(k) ?? { units: 0, revenue_minor: 0, refunded_minor: 0, refunded_units: 0, cost_minor: 0, cost_unknown_units: 0, delivered_units: 0, revoked_units: 0, backordered_units: 0, orders_with_pool: 0, backorders_opened: 0, backorders_filled: 0 };
    const price = Number(l.unit_price_minor ?? 0);
    e.units += l.quantity * l.units_per_item;
    e.revenue_minor += l.quantity * price;
    e.refunded_minor += l.refunded_quantity * price;
    e.refunded_units += l.refunded_quantity * l.units_per_item;
    const pk = `${l.order_id}|${l.pool_id}`;
    if (!ordersSeen.has(pk)) e.orders_with_pool += 1;
    ordersSeen.add(pk);
    for (const u of units.filter((x) => x.order_line_id === l.line_id)) {
      if (u.status === "backordered") e.backordered_units += 1;
      const late = u.fulfilled_at !== null && Date.parse(u.fulfilled_at) - Date.parse(u.created_at) >= 1000;
      if (u.status === "backordered" || late) e.backorders_opened += 1;
      if (late) e.backorders_filled += 1;
      if (u.status === "revoked") e.revoked_units += 1;
      if (u.key_id !== null && (u.status === "allocated" || u.status === "revoked")) {
        if (u.status === "allocated") e.delivered_units += 1;
        if (u.cost_minor !== null && (u.bc ?? u.pc ?? ccy) === ccy) e.cost_minor += Number(u.cost_minor);
        else e.cost_unknown_units += 1;
      }
    }
    out.set(k, e);
  }
  return out;
}

async function fromRollups(s: TestServices, accountId: string): Promise<Map<string, Record<string, number>>> {
  // Grouped by store too, so the fine table (report_daily) answers; folded back to day and pool below.
  const fine = await sumRollups(s.db, accountId, { from: "2000-01-01", to: "2100-01-01" }, ["day", "pool_id", "store_id"]);
  const coarse = await sumRollups(s.db, accountId, { from: "2000-01-01", to: "2100-01-01" }, ["day", "pool_id"]);
  const folded = new Map<string, (typeof coarse)[number]>();
  for (const r of fine) {
    const k = `${r.day}|${r.pool_id}|${r.currency}`;
    const into = folded.get(k) ?? ({ ...r, store_id: undefined } as (typeof coarse)[number]);
    if (folded.has(k)) for (const m of Object.keys(r) as (keyof typeof r)[]) if (typeof r[m] === "number") (into as Record<string, unknown>)[m] = (into[m] as number) + (r[m] as number);
    folded.set(k, into);
  }
  for (const r of coarse) {
    const f = folded.get(`${r.day}|${r.pool_id}|${r.currency}`);
    if (f && f.units !== r.units) throw new Error(`report_daily and report_daily_pool differ on ${r.day} ${r.pool_id}`);
  }
  const rows = coarse;
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    if (r.units === 0 && r.orders_with_pool === 0) continue;
    out.set(`${r.day}|${r.pool_id}|${r.currency}`, {
      units: r.units,
      revenue_minor: r.revenue_minor,
      refunded_minor: r.refunded_minor,
      refunded_units: r.refunded_units,
      cost_minor: r.cost_minor,
      cost_unknown_units: r.cost_unknown_units,
      delivered_units: r.delivered_units,
      revoked_units: r.revoked_units,
      backordered_units: r.backordered_units,
      orders_with_pool: r.orders_with_pool,
      backorders_opened: r.backorders_opened,
      backorders_filled: r.backorders_filled,
    });
  }
  return out;
}

/** Delivery p50 / p95 per day straight from every order's own time (the per-order facts), nearest rank. */
async function expectDeliveryFromOrders(s: TestServices, accountId: string, from: string, to: string) {
  const rows = await s.db.selectFrom("report_order_facts").select(["day", "delivery_s"]).where("account_id", "=", accountId).where("orders_total", "=", 1).where("delivery_s", "is not", null).where("day", ">=", from).where("day", "<=", to).execute();
  const nearestRank = (v: number[], p: number) => (v.length ? [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))] : null);
  const report = await getDeliveryReport(s, accountId, { from, to });
  for (const d of report.days) {
    const secs = rows.filter((r) => r.day === d.day).map((r) => Number(r.delivery_s));
    expect({ day: d.day, orders: d.orders, p50: d.p50Seconds, p95: d.p95Seconds }).toEqual({ day: d.day, orders: secs.length, p50: nearestRank(secs, 50), p95: nearestRank(secs, 95) });
  }
  const all = rows.map((r) => Number(r.delivery_s));
  expect([report.totals.orders, report.totals.p50Seconds, report.totals.p95Seconds]).toEqual([all.length, nearestRank(all, 50), nearestRank(all, 95)]);
  return all.length;
}

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`report rollups on ${dialect}`, () => {
    let s: TestServices;
    let shop: Shop;
    let poolB: string;
    beforeAll(async () => {
      s = await makeServices({ dialect });
      shop = await makeShop(s);
      await s.db.updateTable("accounts").set({ time_zone: TZ }).where("id", "=", shop.accountId).execute();
      // Pool A: 6 keys at 5.00 USD from supplier S1, then 2 without a cost.
      await importKeys(s, { accountId: shop.accountId, poolId: shop.poolId, format: "txt", actor: cli, source: text("A-1\nA-2\nA-3\nA-4\nA-5\nA-6\n"), batch: { supplier: "S1", cost: "5.00", currency: "USD" } });
      await importKeys(s, { accountId: shop.accountId, poolId: shop.poolId, format: "txt", actor: cli, source: text("A-7\nA-8\n") });
      // Pool B: keys costed in CNY, sold in USD: their cost is not comparable, so unknown.
      poolB = (await createPool(s, shop.accountId, { name: "Membership", currency: "CNY" }, cli)).id;
      await upsertMapping(s.db, { accountId: shop.accountId, storeId: shop.store.id, poolId: poolB, productId: "P2", variantId: null, title: "Membership", unitsPerItem: 2, syncStock: false });
      await importKeys(s, { accountId: shop.accountId, poolId: poolB, format: "txt", actor: cli, source: text("B-1\nB-2\nB-3\nB-4\n"), batch: { cost: "1.00", currency: "CNY" } });
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    const order = (id: string, placedAt: string, opts: { quantity?: number; refunded?: number; p2?: number; currency?: string; email?: string } = {}) => {
      const o = paidOrder({ id, quantity: opts.quantity ?? 1, refunded: opts.refunded ?? 0, email: opts.email });
      o.placedAt = placedAt;
      if (opts.currency) o.currency = opts.currency;
      if (opts.p2) o.lines.push({ externalLineId: `${id}-2`, productId: "P2", variantId: "V2", title: "Membership", quantity: opts.p2, refundedQuantity: 0, unitPriceMinor: 999 });
      return o;
    };

    it("rollups equal a brute-force computation over refunds, revocations, backorders, currencies and local days", async () => {
      // 23:30 in Shanghai on 30 November (15:30 UTC) and 00:30 on 1 December (16:30 UTC).
      await applyHostOrder(s, shop.store, order("r1", "2026-11-30T15:30:00.000Z", { quantity: 2, email: "ann@example.com" }));
      await applyHostOrder(s, shop.store, order("r2", "2026-11-30T16:30:00.000Z", { email: "ann@example.com" }));
      await applyHostOrder(s, shop.store, order("r3", "2026-12-01T02:00:00.000Z", { quantity: 1, p2: 1, currency: "EUR", email: "bo@example.com" }));
      await applyHostOrder(s, shop.store, order("r4", "2026-12-02T02:00:00.000Z", { quantity: 3, email: "cy@example.com" }));
      // r4 refunded one item later (revoke policy: a key revoked).
      await applyHostOrder(s, shop.store, order("r4", "2026-12-02T02:00:00.000Z", { quantity: 3, refunded: 1, email: "cy@example.com" }));
      // Two more than pool A holds: backorders.
      await applyHostOrder(s, shop.store, order("r5", "2026-12-03T02:00:00.000Z", { quantity: 3, email: "ann@example.com" }));
      // One of them filled a little later by a restock.
      await new Promise((r) => setTimeout(r, 1100));
      await importKeys(s, { accountId: shop.accountId, poolId: shop.poolId, format: "txt", actor: cli, source: text("A-9\n") });
      await fillBackorders(s, { accountId: shop.accountId, poolId: shop.poolId });
      // A key revoked by hand from r1.
      const r1 = await s.db.selectFrom("orders").select("id").where("external_id", "=", "r1").executeTakeFirstOrThrow();
      const alloc = await s.db.selectFrom("allocations as a").innerJoin("order_lines as l", "l.id", "a.order_line_id").select("a.id").where("l.order_id", "=", r1.id).orderBy("a.id").executeTakeFirstOrThrow();
      await revokeOrderKey(s, shop.accountId, Number(alloc.id), cli);
      // A reseller's API order in the same account and pool B.
      const reseller = await makeReseller(s, { accountId: shop.accountId, poolId: poolB, price: "3.00", topup: "50" });
      const caller = await authenticateReseller(s, `Bearer ${reseller.token}`, "127.0.0.1", "orders:write");
      expect((await placeResellerOrder(s, caller, "idem-1", { pool: poolB, quantity: 1 }, { pool: poolB, quantity: 1 }, "127.0.0.1")).status).toBe(201);

      expect(await countDirtyOrders(s.db)).toBeGreaterThan(0);
      const r = await refreshReportRollups(s);
      expect(r.pending).toBe(0);
      const expected = await bruteForce(s, shop.accountId);
      expect(await fromRollups(s, shop.accountId)).toEqual(expected);
      // The 23:30 order is on 30 November in Shanghai, the 00:30 one on 1 December.
      expect(expected.get(`2026-11-30|${shop.poolId}|USD`)?.units).toBe(2);
      expect(expected.get(`2026-12-01|${shop.poolId}|USD`)?.units).toBe(1);
      expect(expected.get(`2026-12-03|${shop.poolId}|USD`)?.backordered_units).toBeGreaterThan(0);
      expect((await checkReportRollups(s, shop.accountId)).ok).toBe(true);
      const delivery = await getDeliveryReport(s, shop.accountId, { from: "2026-11-30", to: "2026-12-05" });
      expect(delivery.totals).toMatchObject({ backordersFilled: 1 });
      expect(delivery.totals.backordersOpened).toBe(expected.get(`2026-12-03|${shop.poolId}|USD`)?.backorders_opened);
      expect(delivery.totals.meanWaitSeconds).toBeGreaterThanOrEqual(1);
      expect(delivery.totals.orders).toBeGreaterThan(0);
      expect(delivery.totals.p50Seconds).not.toBeNull();
    });

    it("the reports keep currencies apart and count keys without a cost as such", async () => {
      const sales = await getSalesReport(s, shop.accountId, { from: "2026-11-30", to: "2026-12-03", groupBy: "day" });
      expect(sales.currencies.map((c) => c.currency)).toEqual(["EUR", "USD"]);
      const usd = sales.currencies.find((c) => c.currency === "USD")!;
      expect(usd.rows.map((r) => r.key)).toEqual(["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"]);
      expect(usd.rows[0]).toMatchObject({ orders: 1, units: 2, revenueMinor: 4000 });
      expect(usd.totals.refundedMinor).toBe(2000);
      const byPool = await getSalesReport(s, shop.accountId, { from: "2026-11-30", to: "2026-12-03", groupBy: "pool" });
      expect(byPool.currencies.find((c) => c.currency === "EUR")!.rows.map((r) => r.label).sort()).toEqual(["Game card", "Membership"]);
      const margin = await getMarginReport(s, shop.accountId, { from: "2026-11-30", to: "2026-12-03", groupBy: "supplier" });
      const eur = margin.currencies.find((c) => c.currency === "EUR")!;
      // The EUR order's keys cost USD or CNY: none is comparable, so no cost is taken and all are counted as unknown.
      expect(eur.totals).toMatchObject({ costMinor: 0, costUnknownUnits: 3 });
      const products = await getProductReport(s, shop.accountId, { from: "2026-11-30", to: "2026-12-03" });
      const usdProducts = products.currencies.find((c) => c.currency === "USD")!.rows;
      expect(usdProducts.map((r) => [r.productId, r.title, r.storeName])).toContainEqual(["P1", "Game card", "Test shop"]);
      expect(usdProducts.find((r) => r.productId === "P1")!.units).toBe(2 + 1 + 3 + 3);
      const csv = salesCsv(sales);
      expect(csv.startsWith("\uFEFF")).toBe(true);
      expect(csv).toContain("2026-11-30");
      const repurchase = await getRepurchaseReport(s, shop.accountId, { from: "2026-11-30", to: "2026-12-03" });
      expect(repurchase.repeatBuyers).toBe(1);
      expect(repurchase.topBuyers[0].buyer).toBe("a***@example.com");
      expect(JSON.stringify(repurchase)).not.toContain("ann@example.com");
      const revealed = await getRepurchaseReport(s, shop.accountId, { from: "2026-11-30", to: "2026-12-03", reveal: true }, cli);
      expect(revealed.topBuyers[0].email).toBe("ann@example.com");
      expect(await s.db.selectFrom("audit_log").select("id").where("account_id", "=", shop.accountId).where("action", "=", "report.buyers_revealed").execute()).toHaveLength(1);
    });

    it("a refresh that dies before it commits loses nothing and counts nothing twice", async () => {
      const before = await fromRollups(s, shop.accountId);
      await applyHostOrder(s, shop.store, order("r6", "2026-12-04T02:00:00.000Z", { p2: 1, quantity: 0 }));
      await expect(refreshReportRollups(s, { hooks: { beforeClear: () => Promise.reject(new Error("killed")) } })).rejects.toThrow("killed");
      expect(await fromRollups(s, shop.accountId)).toEqual(before);
      expect(await countDirtyOrders(s.db)).toBeGreaterThan(0);
      await refreshReportRollups(s);
      await refreshReportRollups(s);
      expect(await fromRollups(s, shop.accountId)).toEqual(await bruteForce(s, shop.accountId));
    });

    it("rebuild puts damaged rollups right and proves them against the raw rows", async () => {
      await s.db.updateTable("report_daily").set({ units: 999 }).where("account_id", "=", shop.accountId).where("day", "=", "2026-11-30").execute();
      await s.db.updateTable("report_daily_pool").set({ revenue_minor: 1 }).where("account_id", "=", shop.accountId).where("day", "=", "2026-12-01").execute();
      const damaged = await checkReportRollups(s, shop.accountId);
      expect(damaged.ok).toBe(false);
      expect(damaged.mismatches[0]).toMatchObject({ measure: "units", stored: 999 });
      expect(damaged.mismatches.some((m) => m.key.startsWith("pool-level|") && m.measure === "revenue_minor" && m.stored === 1)).toBe(true);
      const rebuilt = await rebuildReportRollups(s, shop.accountId, cli);
      expect(rebuilt.check.ok).toBe(true);
      expect(await fromRollups(s, shop.accountId)).toEqual(await bruteForce(s, shop.accountId));
    });

    it("long ranges read whole months from the monthly rollup and say the same as the days summed", async () => {
      const byDays = async (from: string, to: string) => {
        const rows = await sumRollups(s.db, shop.accountId, { from, to }, ["day", "store_id", "channel", "batch_id"]);
        const out = new Map<string, number[]>();
        for (const r of rows) {
          const k = `${r.store_id}|${r.channel}|${r.batch_id}|${r.currency}`;
          const e = out.get(k) ?? [0, 0, 0];
          out.set(k, [e[0] + r.units, e[1] + r.revenue_minor, e[2] + r.cost_unknown_units]);
        }
        return new Map([...out].filter(([, v]) => v.some((x) => x !== 0)));
      };
      const byMonths = async (from: string, to: string) => {
        const rows = await sumRollups(s.db, shop.accountId, { from, to }, ["store_id", "channel", "batch_id"]);
        return new Map(rows.map((r) => [`${r.store_id}|${r.channel}|${r.batch_id}|${r.currency}`, [r.units, r.revenue_minor, r.cost_unknown_units]] as const).filter(([, v]) => v.some((x) => x !== 0)));
      };
      for (const [from, to] of [["2026-11-01", "2026-12-31"], ["2026-11-30", "2026-12-31"], ["2026-11-01", "2026-12-02"], ["2026-10-15", "2027-01-20"], ["2026-12-01", "2026-12-31"]]) {
        const want = await byDays(from, to);
        expect(want.size, `${from}..${to}`).toBeGreaterThan(0);
        expect(await byMonths(from, to), `${from}..${to}`).toEqual(want);
      }
      await s.db.updateTable("report_monthly").set({ units: 12345 }).where("account_id", "=", shop.accountId).where("month", "=", "2026-12").execute();
      const damaged = await checkReportRollups(s, shop.accountId);
      expect(damaged.mismatches.some((m) => m.key === "month-level")).toBe(true);
      expect((await rebuildReportRollups(s, shop.accountId, cli)).check.ok).toBe(true);
      expect(await byMonths("2026-11-01", "2026-12-31")).toEqual(await byDays("2026-11-01", "2026-12-31"));
    });

    it("best sellers by product equal the raw order lines summed, by days and by whole months", async () => {
      const day = (iso: string) => new Date(iso).toLocaleDateString("sv-SE", { timeZone: TZ });
      const raw = async (from: string, to: string) => {
        const lines = await s.db
          .selectFrom("orders as o")
          .innerJoin("order_lines as l", "l.order_id", "o.id")
          .select(["o.id", "o.store_id", "o.currency", "o.status", "o.risk_decision", "o.placed_at", "o.created_at", "l.pool_id", "l.product_id", "l.variant_id", "l.quantity", "l.unit_price_minor"])
          .where("o.account_id", "=", shop.accountId)
          .execute();
        const out = new Map<string, { orders: Set<string>; units: number; revenue: number }>();
        for (const l of lines) {
          const d = day(l.placed_at ?? l.created_at);
          if (l.status === "ignored" || l.risk_decision === "rejected" || !l.pool_id || d < from || d > to) continue;
          const k = `${l.store_id ?? ""}|${l.product_id ?? ""}|${l.variant_id ?? ""}|${l.currency}`;
          const e = out.get(k) ?? { orders: new Set(), units: 0, revenue: 0 };
          e.orders.add(l.id);
          e.units += l.quantity;
          e.revenue += l.quantity * Number(l.unit_price_minor ?? 0);
          out.set(k, e);
        }
        return new Map([...out].map(([k, e]) => [k, [e.orders.size, e.units, e.revenue]]));
      };
      const reported = async (from: string, to: string) => {
        const r = await getProductReport(s, shop.accountId, { from, to, limit: 1000 });
        return new Map(r.currencies.flatMap((c) => c.rows.map((x) => [`${x.storeId}|${x.productId ?? ""}|${x.variantId ?? ""}|${c.currency}`, [x.orders, x.units, x.revenueMinor]] as const)));
      };
      for (const [from, to] of [["2026-11-30", "2026-12-05"], ["2026-11-01", "2026-12-31"], ["2026-12-01", "2026-12-02"], ["2026-10-20", "2027-01-10"]]) {
        const want = await raw(from, to);
        expect(want.size, `${from}..${to}`).toBeGreaterThan(0);
        expect(await reported(from, to), `${from}..${to}`).toEqual(want);
      }
      await s.db.updateTable("report_product_daily").set({ units: 500 }).where("account_id", "=", shop.accountId).execute();
      expect((await checkReportRollups(s, shop.accountId)).mismatches.some((m) => m.key.startsWith("product|") || m.key === "products")).toBe(true);
      expect((await rebuildReportRollups(s, shop.accountId, cli)).check.mismatches).toEqual([]);
      expect(await reported("2026-11-30", "2026-12-05")).toEqual(await raw("2026-11-30", "2026-12-05"));
    });

    it("rollups stay exact while orders arrive during refreshes", async () => {
      const stop = { done: false };
      const refresher = (async () => {
        while (!stop.done) await refreshReportRollups(s, { batch: 3 });
      })();
      await Promise.all(Array.from({ length: 12 }, (_, i) => applyHostOrder(s, shop.store, order(`c${i}`, `2026-12-05T0${i % 10}:00:00.000Z`, { quantity: 1 + (i % 2) }))));
      stop.done = true;
      await refresher;
      await refreshReportRollups(s);
      expect(await fromRollups(s, shop.accountId)).toEqual(await bruteForce(s, shop.accountId));
      expect(await expectDeliveryFromOrders(s, shop.accountId, "2026-11-30", "2026-12-05")).toBeGreaterThan(1);
      // A delivery count damaged is caught by the check and put right by rebuild.
      const counted = await s.db.selectFrom("report_delivery_daily").select(["day", "seconds"]).where("account_id", "=", shop.accountId).executeTakeFirstOrThrow();
      await s.db.updateTable("report_delivery_daily").set({ orders: 77 }).where("account_id", "=", shop.accountId).where("day", "=", counted.day).where("seconds", "=", counted.seconds).execute();
      expect((await checkReportRollups(s, shop.accountId)).mismatches.some((m) => m.key === "delivery-times")).toBe(true);
      expect((await rebuildReportRollups(s, shop.accountId, cli)).check.mismatches).toEqual([]);
      await expectDeliveryFromOrders(s, shop.accountId, "2026-11-30", "2026-12-05");
    });

    it("forecast says so when a pool has too little history, and a second account sees none of this", async () => {
      const f = await getPoolForecast(s, shop.accountId, shop.poolId, { days: 30 });
      expect(f.forecast.status).toBe("insufficient_history");
      const other = await makeShop(s);
      await expect(getPoolForecast(s, other.accountId, shop.poolId, { days: 30 })).rejects.toMatchObject({ code: "pool_not_found" });
      const theirs = await getSalesReport(s, other.accountId, { from: "2026-11-30", to: "2026-12-05", groupBy: "pool" });
      expect(theirs.currencies).toEqual([]);
    });
  });
}
