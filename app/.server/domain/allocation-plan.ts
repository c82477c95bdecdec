/**
 * What one order line needs, given what is already recorded for it. Pure: the use-case reads the
 * line and its allocation rows, asks this, and applies the answer in one transaction.
 *
 * A line of `quantity` items at `unitsPerItem` keys each has quantity × unitsPerItem units,
 * numbered 0…n-1. Each unit gets at most one allocation row, ever (unique (line, unit) in the
 * schema): that is what makes a second run of the same order a no-op. A unit's row is
 *   allocated   — holds a key
 *   backordered — waits for stock (filled oldest first when keys arrive)
 *   revoked / returned / dropped — released after a refund or cancellation; history, never reused
 */
export type UnitStatus = "allocated" | "backordered" | "revoked" | "returned" | "dropped";

export interface PlanUnit {
  unitIndex: number;
  status: UnitStatus;
}

export interface LinePlanInput {
  quantity: number;
  refundedQuantity: number;
  unitsPerItem: number;
  /** Whether the order as a whole still wants keys (paid, not cancelled or refunded). */
  orderWantsKeys: boolean;
  units: PlanUnit[];
}

export interface LinePlan {
  /** Unit indexes to allocate now (a key each, or a backorder where stock runs out). */
  claim: number[];
  /** Units to release: backorders (dropped) first, then keys, newest unit first. */
  release: PlanUnit[];
}

export function isLive(status: UnitStatus): boolean {
  return status === "allocated" || status === "backordered";
}

/** How many units the line should hold keys (or backorders) for. */
export function wantedUnits(line: Pick<LinePlanInput, "quantity" | "refundedQuantity" | "unitsPerItem" | "orderWantsKeys">): number {
  if (!line.orderWantsKeys) return 0;
  const items = Math.max(0, line.quantity - Math.min(line.refundedQuantity, line.quantity));
  return items * line.unitsPerItem;
}

export function planLine(line: LinePlanInput): LinePlan {
  const total = line.quantity * line.unitsPerItem;
  const wanted = wantedUnits(line);
  const live = line.units.filter((u) => isLive(u.status));
  if (live.length > wanted) {
    // A buyer loses a unit they are still waiting for before one they may have seen.
    const order = [...live].sort((a, b) => {
      if (a.status !== b.status) return a.status === "backordered" ? -1 : 1;
      return b.unitIndex - a.unitIndex;
    });
    return { claim: [], release: order.slice(0, live.length - wanted) };
  }
  const used = new Set(line.units.map((u) => u.unitIndex));
  const claim: number[] = [];
  // Indexes beyond the line's size never exist; released indexes are never reused, so a line whose
  // units were released cannot be re-claimed past its size (a refund is final).
  for (let i = 0; i < total && claim.length < wanted - live.length; i++) if (!used.has(i)) claim.push(i);
  return { claim, release: [] };
}

/**
 * Where the order stands, from its lines' units: everything wanted is allocated, some wait for
 * stock, or nothing is wanted any more.
 */
export function orderFulfilment(lines: { wanted: number; allocated: number; backordered: number }[]): "allocated" | "partially_allocated" | "none" {
  const wanted = lines.reduce((n, l) => n + l.wanted, 0);
  if (wanted === 0) return "none";
  const backordered = lines.reduce((n, l) => n + l.backordered, 0);
  return backordered > 0 ? "partially_allocated" : "allocated";
}
