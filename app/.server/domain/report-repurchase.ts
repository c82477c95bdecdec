/**
 * Repurchase (复购) over a period: of the buyers who bought, how many bought more than once, and
 * per pool the median days between one purchase of it and the buyer's next (the repurchase
 * cycle; orders on the same day count as one purchase). Built from counts the database keeps per
 * range (report_buyer_purchases): buyers and repeat buyers per pool ('' = any pool) and, per
 * pool, how many repurchases came after how many days.
 */
export interface RepurchaseCounts {
  poolId: string;
  buyers: number;
  repeatBuyers: number;
}

export interface RepurchaseGap {
  poolId: string;
  gapDays: number;
  count: number;
}

export interface RepeatBuyer {
  buyer: string;
  orders: number;
  units: number;
  firstDay: string;
  lastDay: string;
}

export interface RepurchaseSummary {
  buyers: number;
  repeatBuyers: number;
  repeatShare: number | null;
  pools: { poolId: string; buyers: number; repeatBuyers: number; medianDaysBetween: number | null; gaps: number }[];
  topBuyers: RepeatBuyer[];
}

/** The median of values given as (value, how many times); the mean of the middle two when even. */
export function medianOfCounts(counts: readonly { value: number; count: number }[]): number | null {
  const sorted = [...counts].filter((c) => c.count > 0).sort((a, b) => a.value - b.value);
  const n = sorted.reduce((s, c) => s + c.count, 0);
  if (n === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const c of sorted) {
      seen += c.count;
      if (rank < seen) return c.value;
    }
    return sorted[sorted.length - 1].value;
  };
  const mid = n >> 1;
  return n % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

export function summariseRepurchase(counts: readonly RepurchaseCounts[], gaps: readonly RepurchaseGap[], topBuyers: readonly RepeatBuyer[]): RepurchaseSummary {
  const overall = counts.find((c) => c.poolId === "") ?? { poolId: "", buyers: 0, repeatBuyers: 0 };
  const gapsByPool = new Map<string, { value: number; count: number }[]>();
  for (const g of gaps) {
    const list = gapsByPool.get(g.poolId) ?? [];
    list.push({ value: g.gapDays, count: g.count });
    gapsByPool.set(g.poolId, list);
  }
  return {
    buyers: overall.buyers,
    repeatBuyers: overall.repeatBuyers,
    repeatShare: overall.buyers > 0 ? Math.round((overall.repeatBuyers / overall.buyers) * 10_000) / 10_000 : null,
    pools: counts
      .filter((c) => c.poolId !== "" && c.buyers > 0)
      .map((c) => {
        const list = gapsByPool.get(c.poolId) ?? [];
        return { poolId: c.poolId, buyers: c.buyers, repeatBuyers: c.repeatBuyers, medianDaysBetween: medianOfCounts(list), gaps: list.reduce((s, g) => s + g.count, 0) };
      })
      .sort((a, b) => b.buyers - a.buyers || (a.poolId < b.poolId ? -1 : a.poolId > b.poolId ? 1 : 0)),
    topBuyers: [...topBuyers],
  };
}
