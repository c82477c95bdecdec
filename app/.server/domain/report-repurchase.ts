import { daysBetween } from "./report-day.ts";

/**
 * Repurchase (复购) over a period: of the buyers who bought, how many bought more than once, and
 * per pool the median days between one purchase of it and the buyer's next (the repurchase
 * cycle). Orders on the same day count as one purchase for the cycle.
 */
export interface Purchase {
  buyer: string;
  orderId: string;
  poolId: string;
  day: string;
  placedAt: string;
  units: number;
}

export interface RepurchaseSummary {
  buyers: number;
  repeatBuyers: number;
  repeatShare: number | null;
  pools: { poolId: string; buyers: number; repeatBuyers: number; medianDaysBetween: number | null; gaps: number }[];
  topBuyers: { buyer: string; orders: number; units: number; firstDay: string; lastDay: string }[];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function summariseRepurchase(purchases: readonly Purchase[], top = 10): RepurchaseSummary {
  const byBuyer = new Map<string, Purchase[]>();
  for (const p of purchases) byBuyer.set(p.buyer, [...(byBuyer.get(p.buyer) ?? []), p]);
  let repeatBuyers = 0;
  const topBuyers: RepurchaseSummary["topBuyers"] = [];
  const poolStats = new Map<string, { buyers: Set<string>; repeat: Set<string>; gaps: number[] }>();
  for (const [buyer, list] of byBuyer) {
    const orders = new Set(list.map((p) => p.orderId));
    if (orders.size > 1) repeatBuyers += 1;
    const days = list.map((p) => p.day).sort();
    topBuyers.push({ buyer, orders: orders.size, units: list.reduce((n, p) => n + p.units, 0), firstDay: days[0], lastDay: days[days.length - 1] });
    const byPool = new Map<string, Set<string>>();
    const poolOrders = new Map<string, Set<string>>();
    for (const p of list) {
      byPool.set(p.poolId, (byPool.get(p.poolId) ?? new Set()).add(p.day));
      poolOrders.set(p.poolId, (poolOrders.get(p.poolId) ?? new Set()).add(p.orderId));
    }
    for (const [poolId, daySet] of byPool) {
      const st = poolStats.get(poolId) ?? { buyers: new Set(), repeat: new Set(), gaps: [] };
      st.buyers.add(buyer);
      if ((poolOrders.get(poolId)?.size ?? 0) > 1) st.repeat.add(buyer);
      const sorted = [...daySet].sort();
      for (let i = 1; i < sorted.length; i++) st.gaps.push(daysBetween(sorted[i - 1], sorted[i]) - 1);
      poolStats.set(poolId, st);
    }
  }
  topBuyers.sort((a, b) => b.orders - a.orders || b.units - a.units || a.buyer.localeCompare(b.buyer));
  return {
    buyers: byBuyer.size,
    repeatBuyers,
    repeatShare: byBuyer.size > 0 ? Math.round((repeatBuyers / byBuyer.size) * 10_000) / 10_000 : null,
    pools: [...poolStats.entries()]
      .map(([poolId, st]) => ({ poolId, buyers: st.buyers.size, repeatBuyers: st.repeat.size, medianDaysBetween: median(st.gaps), gaps: st.gaps.length }))
      .sort((a, b) => b.buyers - a.buyers || a.poolId.localeCompare(b.poolId)),
    topBuyers: topBuyers.filter((b) => b.orders > 1).slice(0, top),
  };
}
