/**
 * Stock sync rules: what a host should show for a mapped item, when a sync runs, and what a
 * failed item means for its mapping. Pure: the sync-stock use-case applies them.
 */

export interface PoolStock {
  /** Keys in the pool that can be sold now. */
  available: number;
  /** Paid units waiting for keys: new orders must not overtake them. */
  backordersWaiting: boolean;
}

/**
 * floor(available / units per item), and 0 while backorders wait: the keys that exist are owed to
 * the buyers already waiting (first in, first out), so selling more would only add to the queue.
 */
export function hostQuantity(stock: PoolStock, unitsPerItem: number): number {
  if (stock.backordersWaiting) return 0;
  const units = Math.max(1, Math.floor(unitsPerItem));
  return Math.max(0, Math.floor(stock.available / units));
}

export function sameStock(a: PoolStock, b: PoolStock): boolean {
  return a.available === b.available && a.backordersWaiting === b.backordersWaiting;
}

/**
 * Coalescing: every change in one window of time asks for the same sync (one pending job per pool
 * and window). The job runs half a window after its window closes, so a transaction that asked
 * for it near the end of the window has committed before the job reads the count (on Postgres a
 * claim does not wait for a transaction that merged into the row). Lag: at most 1.5 windows.
 */
export function syncSlot(nowMs: number, windowMs: number): { window: number; runAtMs: number } {
  const w = Math.max(1, Math.floor(windowMs));
  const window = Math.floor(nowMs / w);
  return { window, runAtMs: (window + 1) * w + Math.ceil(w / 2) };
}

/**
 * "changes": write what moved since the last sync (and retry what failed). "verify": read the
 * host first and write wherever it differs (drift repair, "sync now").
 */
export type SyncMode = "changes" | "verify";

export interface MappingSyncState {
  lastSyncedQuantity: number | null;
  lastSyncError: string | null;
}

/** In "changes" mode, does this mapping need a write? (verify mode decides from the host's reading) */
export function needsWrite(m: MappingSyncState, desired: number): boolean {
  return m.lastSyncedQuantity !== desired || m.lastSyncError !== null;
}

export type ItemFailureKind = "not_found" | "invalid" | "not_managed" | "retryable";

/**
 * What a failed item means for its mapping:
 * - not_found (deleted on the host), invalid (not stocked at the location, …): broken until the
 *   merchant fixes it and saves the mapping or presses "sync now"; automatic syncs skip it
 * - not_managed (WooCommerce stock management off): stays active with the error, and the store is
 *   flagged: one setting fixes every mapping
 * - retryable: stays active; another sync is scheduled
 */
export function mappingAfterFailure(kind: ItemFailureKind): { status: "active" | "broken"; retry: boolean; storeAttention: string | null } {
  switch (kind) {
    case "not_found":
    case "invalid":
      return { status: "broken", retry: false, storeAttention: null };
    case "not_managed":
      return { status: "active", retry: false, storeAttention: "manage_stock_off" };
    case "retryable":
      return { status: "active", retry: true, storeAttention: null };
  }
}

/**
 * Syncs of one pool run one at a time, so a slow older sync can never write after a newer one:
 * a sync that finds an earlier-started sync of the same pool still running steps aside (and asks
 * for another run). Of two that see each other, the older (lower id) goes on.
 */
export function shouldDefer(selfJobId: number, runningJobIds: number[]): boolean {
  return runningJobIds.some((id) => id < selfJobId);
}
