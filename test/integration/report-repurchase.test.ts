import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { REPURCHASE_TUNING, repurchaseFigures, topRepeatBuyers } from "../../app/.server/db/repositories/report-buyers-repo.ts";
import { getRepurchaseReport } from "../../app/.server/use-cases/get-reports.ts";
import { handleComplianceRequest } from "../../app/.server/use-cases/handle-compliance-request.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { checkReportRollups, rebuildReportRollups } from "../../app/.server/use-cases/rebuild-report-rollups.ts";
import { refreshReportRollups } from "../../app/.server/use-cases/refresh-report-rollups.ts";
import type { HostOrder } from "../../connectors/host-connector.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, paidOrder, type Shop } from "../support/fulfilment-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const cli = { type: "cli" as const };
const TZ = "Asia/Shanghai";

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

interface Expected {
  buyers: number;
  repeatBuyers: number;
  pools: Map<string, { buyers: number; repeatBuyers: number; medianDaysBetween: number | null; gaps: number }>;
  perBuyer: Map<string, { orders: number; units: number; firstDay: string; lastDay: string }>;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Straight from the raw orders and lines, written without the incremental rows: group each
 * buyer's orders in the range, count them, and walk each pool's distinct purchase days.
 */
async function bruteForce(s: TestServices, accountId: string, from: string, to: string): Promise<Expected> {
  const day = (iso: string) => new Date(iso).toLocaleDateString("sv-SE", { timeZone: TZ });
  const rows = await s.db
    .selectFrom("orders as o")
    .innerJoin("order_lines as l", "l.order_id", "o.id")
    .select(["o.id", "o.email", "o.customer_id", "o.store_id", "o.placed_at", "o.created_at", "o.status", "o.risk_decision", "l.pool_id", "l.quantity", "l.units_per_item"])
    .where("o.account_id", "=", accountId)
    .execute();
  const byBuyer = new Map<string, { order: string; pool: string; day: string; units: number }[]>();
  for (const r of rows) {
    if (r.status === "ignored" || r.risk_decision === "rejected" || !r.pool_id) continue;
    const buyer = r.email?.trim().toLowerCase() || (r.customer_id ? `customer:${r.store_id}:${r.customer_id}` : null);
    const d = day(r.placed_at ?? r.created_at);
    if (!buyer || d < from || d > to) continue;
    byBuyer.set(buyer, [...(byBuyer.get(buyer) ?? []), { order: r.id, pool: r.pool_id, day: d, units: r.quantity * r.units_per_item }]);
  }
  const out: Expected = { buyers: byBuyer.size, repeatBuyers: 0, pools: new Map(), perBuyer: new Map() };
  const poolAcc = new Map<string, { buyers: Set<string>; repeat: Set<string>; gaps: number[] }>();
  for (const [buyer, list] of byBuyer) {
    const orders = new Set(list.map((p) => p.order));
    if (orders.size > 1) out.repeatBuyers += 1;
    const days = list.map((p) => p.day).sort();
    out.perBuyer.set(buyer, { orders: orders.size, units: list.reduce((n, p) => n + p.units, 0), firstDay: days[0], lastDay: days[days.length - 1] });
    for (const pool of new Set(list.map((p) => p.pool))) {
      const mine = list.filter((p) => p.pool === pool);
      const acc = poolAcc.get(pool) ?? { buyers: new Set(), repeat: new Set(), gaps: [] };
      acc.buyers.add(buyer);
      if (new Set(mine.map((p) => p.order)).size > 1) acc.repeat.add(buyer);
      const distinct = [...new Set(mine.map((p) => p.day))].sort();
      for (let i = 1; i < distinct.length; i++) acc.gaps.push((Date.parse(distinct[i]) - Date.parse(distinct[i - 1])) / 86_400_000 - 1);
      poolAcc.set(pool, acc);
    }
  }
  for (const [pool, acc] of poolAcc) out.pools.set(pool, { buyers: acc.buyers.size, repeatBuyers: acc.repeat.size, medianDaysBetween: median(acc.gaps), gaps: acc.gaps.length });
  return out;
}

async function expectReportMatches(s: TestServices, accountId: string, from: string, to: string) {
  const want = await bruteForce(s, accountId, from, to);
  const got = await getRepurchaseReport(s, accountId, { from, to, reveal: true }, cli);
  expect({ buyers: got.buyers, repeatBuyers: got.repeatBuyers }, `${from}..${to}`).toEqual({ buyers: want.buyers, repeatBuyers: want.repeatBuyers });
  expect(new Map(got.pools.map((p) => [p.poolId, { buyers: p.buyers, repeatBuyers: p.repeatBuyers, medianDaysBetween: p.medianDaysBetween, gaps: p.gaps }])), `${from}..${to}`).toEqual(want.pools);
  // The top ten: each as the brute force counts it, and no buyer left out who beats the last one.
  const repeaters = [...want.perBuyer.entries()].filter(([, b]) => b.orders > 1);
  expect(got.topBuyers).toHaveLength(Math.min(10, repeaters.length));
  for (const b of got.topBuyers) expect({ orders: b.orders, units: b.units, firstDay: b.firstDay, lastDay: b.lastDay }).toEqual(want.perBuyer.get(b.email!));
  const rank = (b: { orders: number; units: number }) => b.orders * 1_000_000 + b.units;
  const sortedWant = repeaters.map(([, b]) => rank(b)).sort((a, b) => b - a).slice(0, 10);
  expect(got.topBuyers.map(rank)).toEqual(sortedWant);
  // Each strategy alone gives the same answer: day counts with the rows after the range taken
  // away, or the range's rows; the whole range grouped, or the biggest buyers looked at first
  // (a few at a time, or too few allowed so it falls back to grouping).
  const range = { from, to };
  const figures = await repurchaseFigures(s.db, accountId, range);
  for (const tailFactor of [0, Infinity]) expect(await repurchaseFigures(s.db, accountId, range, { ...REPURCHASE_TUNING, tailFactor }), `tailFactor ${tailFactor}`).toEqual(figures);
  const top = await topRepeatBuyers(s.db, accountId, range, 10, { ...REPURCHASE_TUNING, scanOrders: Infinity });
  expect(top.map((b) => b.buyer)).toEqual(got.topBuyers.map((b) => b.email));
  for (const t of [{ candidatesPerStep: 3, maxCandidates: 400 }, { candidatesPerStep: 1, maxCandidates: 400 }, { candidatesPerStep: 2, maxCandidates: 4 }]) {
    expect(await topRepeatBuyers(s.db, accountId, range, 10, { ...REPURCHASE_TUNING, scanOrders: 0, ...t }), JSON.stringify(t)).toEqual(top);
  }
  return want;
}

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`repurchase kept incrementally on ${dialect}`, () => {
    let s: TestServices;
    let shop: Shop;
    const pools: string[] = [];
    beforeAll(async () => {
      s = await makeServices({ dialect });
      shop = await makeShop(s);
      await s.db.updateTable("accounts").set({ time_zone: TZ }).where("id", "=", shop.accountId).execute();
      pools.push(shop.poolId);
      for (const [product, units] of [["P2", 1], ["P3", 2]] as const) {
        const id = (await createPool(s, shop.accountId, { name: `Pool ${product}` }, cli)).id;
        await upsertMapping(s.db, { accountId: shop.accountId, storeId: shop.store.id, poolId: id, productId: product, variantId: null, title: product, unitsPerItem: units, syncStock: false });
        pools.push(id);
      }
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    const order = (id: string, placedAt: string, email: string | null, lines: { product: string; quantity: number }[], customerId: string | null = null): HostOrder => {
      const o = paidOrder({ id, email: email ?? undefined, customerId, lines: lines.map((l, i) => ({ externalLineId: `${id}-${i}`, productId: l.product, variantId: l.product === "P1" ? "V1" : null, title: l.product, quantity: l.quantity, refundedQuantity: 0, unitPriceMinor: 500 })) });
      if (email === null) o.email = null as unknown as string;
      o.placedAt = placedAt;
      return o;
    };

    it("buyers, repeat buyers, cycles and top buyers equal a brute force over the raw orders, for every range", async () => {
      const rnd = random(dialect === "sqlite" ? 7 : 11);
      const start = Date.parse("2026-09-01T00:00:00Z");
      const placed: { id: string; at: number }[] = [];
      // 260 orders of 40 buyers over 90 days, several on the same local day, backorders included
      // (no keys are stocked); the last 40 arrive out of time order, as reconciliation brings them.
      const orders: HostOrder[] = [];
      for (let i = 0; i < 260; i++) {
        const at = start + Math.floor(rnd() * 90 * 86_400_000);
        const buyer = Math.floor(rnd() ** 2 * 40);
        const lines = [{ product: ["P1", "P2", "P3"][Math.floor(rnd() * 3)], quantity: 1 + Math.floor(rnd() * 3) }];
        if (rnd() < 0.2) lines.push({ product: lines[0].product === "P2" ? "P3" : "P2", quantity: 1 });
        // A few buyers without an email, known by their customer id; ADA@ and ada@ are one buyer.
        const email = buyer % 13 === 5 ? null : buyer === 3 && i % 2 ? "B3@Example.com" : `b${buyer}@example.com`;
        orders.push(order(`h${i}`, new Date(at).toISOString(), email, lines, email === null ? `c${buyer}` : null));
        placed.push({ id: `h${i}`, at });
      }
      orders.sort((a, b) => Date.parse(a.placedAt!) - Date.parse(b.placedAt!));
      const late = orders.splice(0, 40);
      for (const o of [...orders, ...late]) await applyHostOrder(s, shop.store, o);
      expect((await refreshReportRollups(s)).pending).toBe(0);

      const ranges = [
        ["2026-09-01", "2026-11-30"],
        ["2026-09-15", "2026-10-14"],
        ["2026-10-01", "2026-10-07"],
        ["2026-11-03", "2026-11-03"],
        ["2026-08-01", "2026-08-31"],
        // Ranges ending before the last orders, with fewer days after them than in them.
        ["2026-09-10", "2026-11-20"],
        ["2026-10-20", "2026-11-25"],
        ["2026-09-01", "2026-11-29"],
      ];
      for (const [from, to] of ranges) await expectReportMatches(s, shop.accountId, from, to);
      const whole = await bruteForce(s, shop.accountId, "2026-09-01", "2026-11-30");
      expect(whole.repeatBuyers).toBeGreaterThan(20);
      expect([...whole.pools.values()].every((p) => p.gaps > 0)).toBe(true);
      expect((await checkReportRollups(s, shop.accountId)).ok).toBe(true);
    });

    it("stays exact when orders change buyer, are cancelled, erased or come in late, with refreshes racing the changes", async () => {
      const stop = { done: false };
      const refresher = (async () => {
        while (!stop.done) await refreshReportRollups(s, { batch: 5 });
      })();
      // An older order of an existing buyer (between its purchases), a buyer's email corrected, an
      // order cancelled (ignored), and one buyer erased by a customers/redact request.
      await applyHostOrder(s, shop.store, order("late-1", "2026-10-02T03:00:00Z", "b1@example.com", [{ product: "P2", quantity: 1 }]));
      await applyHostOrder(s, shop.store, order("late-2", "2026-10-02T05:00:00Z", "b1@example.com", [{ product: "P2", quantity: 2 }]));
      const moved = await s.db.selectFrom("orders").select("external_id").where("account_id", "=", shop.accountId).where("email", "=", "b2@example.com").orderBy("placed_at").executeTakeFirstOrThrow();
      await s.db.updateTable("orders").set({ email: "b4@example.com" }).where("external_id", "=", moved.external_id).where("account_id", "=", shop.accountId).execute();
      const cancelled = await s.db.selectFrom("orders").select("external_id").where("account_id", "=", shop.accountId).where("email", "=", "b0@example.com").orderBy("placed_at", "desc").executeTakeFirstOrThrow();
      await s.db.updateTable("orders").set({ status: "ignored" }).where("external_id", "=", cancelled.external_id).where("account_id", "=", shop.accountId).execute();
      await handleComplianceRequest(s, shop.store, { type: "customer_redact", customerEmail: "b6@example.com", customerId: null, orderIds: [] }, null);
      stop.done = true;
      await refresher;
      await refreshReportRollups(s);
      expect(await s.db.selectFrom("report_buyer_purchases").select("buyer").where("buyer", "=", "b6@example.com").execute()).toEqual([]);
      for (const [from, to] of [["2026-09-01", "2026-11-30"], ["2026-09-20", "2026-10-20"], ["2026-10-02", "2026-10-02"]]) await expectReportMatches(s, shop.accountId, from, to);
      expect((await checkReportRollups(s, shop.accountId)).ok).toBe(true);
    });

    it("a damaged buyer row is caught by the check and put right by rebuild; another account sees nothing", async () => {
      await s.db.updateTable("report_buyer_purchases").set({ prev_day: null }).where("account_id", "=", shop.accountId).where("buyer", "=", "b1@example.com").execute();
      const damaged = await checkReportRollups(s, shop.accountId);
      expect(damaged.ok).toBe(false);
      expect(damaged.mismatches.some((m) => m.key === "buyer-rows")).toBe(true);
      expect((await rebuildReportRollups(s, shop.accountId, cli)).check.ok).toBe(true);
      // The day counts and buyer totals are checked against the rows as well.
      const [days] = await s.db.updateTable("report_repurchase_days").set({ prev_on: sql`prev_on + 1` }).where("account_id", "=", shop.accountId).where("day", "=", "2026-10-02").execute();
      expect(Number(days.numUpdatedRows)).toBeGreaterThan(0);
      await s.db.updateTable("report_buyer_totals").set({ orders: sql`orders + 1` }).where("account_id", "=", shop.accountId).where("buyer", "=", "b1@example.com").execute();
      const counts = await checkReportRollups(s, shop.accountId);
      expect(counts.mismatches).toEqual([expect.objectContaining({ key: "buyer-counts", stored: 2 * (Number(days.numUpdatedRows) + 1) })]);
      expect((await rebuildReportRollups(s, shop.accountId, cli)).check.ok).toBe(true);
      await expectReportMatches(s, shop.accountId, "2026-09-01", "2026-11-30");
      const other = await makeShop(s);
      const theirs = await getRepurchaseReport(s, other.accountId, { from: "2026-09-01", to: "2026-11-30" });
      expect(theirs).toMatchObject({ buyers: 0, repeatBuyers: 0, repeatShare: null, pools: [], topBuyers: [] });
    });
  });
}
