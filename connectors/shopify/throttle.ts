/**
 * Shopify's Admin GraphQL rate limit is a leaky bucket of cost points: every answer reports
 * `extensions.cost.throttleStatus` (maximumAvailable, currentlyAvailable, restoreRate per second)
 * and the query's requestedQueryCost. A query costing more than what is available is refused
 * with THROTTLED. Rather than fail, the connector remembers the last status and waits until the
 * bucket has refilled enough for the next query's expected cost.
 */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus | null;
}

/** Milliseconds until `cost` points are available, given a status observed `elapsedMs` ago. */
export function waitForCostMs(status: ThrottleStatus, cost: number, elapsedMs = 0): number {
  if (!(status.restoreRate > 0)) return 0;
  const needed = Math.min(cost, status.maximumAvailable);
  const available = Math.min(status.maximumAvailable, status.currentlyAvailable + (status.restoreRate * elapsedMs) / 1000);
  if (available >= needed) return 0;
  return Math.ceil(((needed - available) / status.restoreRate) * 1000);
}

/** How long to wait after a THROTTLED answer: until its requested cost fits, at least a moment. */
export function throttledRetryAfterMs(cost: QueryCost | null): number {
  if (!cost?.throttleStatus) return 1000;
  return Math.max(100, waitForCostMs(cost.throttleStatus, cost.requestedQueryCost ?? 50));
}

/** Retry-After is seconds (Shopify sends "2.0") or an HTTP date. */
export function retryAfterHeaderMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function parseQueryCost(extensions: unknown): QueryCost | null {
  const cost = (extensions as { cost?: Record<string, unknown> } | null | undefined)?.cost;
  if (!cost || typeof cost !== "object") return null;
  const t = cost.throttleStatus as Record<string, unknown> | undefined;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const status =
    t && num(t.currentlyAvailable) !== null && num(t.restoreRate) !== null
      ? { maximumAvailable: num(t.maximumAvailable) ?? num(t.currentlyAvailable)!, currentlyAvailable: num(t.currentlyAvailable)!, restoreRate: num(t.restoreRate)! }
      : null;
  return { requestedQueryCost: num(cost.requestedQueryCost), actualQueryCost: num(cost.actualQueryCost), throttleStatus: status };
}

/**
 * Per connector (one shop, one bucket): the last status seen and each operation's last requested
 * cost, so the next call of that operation can wait for exactly what it needs.
 */
export class ThrottleGate {
  private status: ThrottleStatus | null = null;
  private seenAt = 0;
  private readonly costs = new Map<string, number>();

  private readonly defaultCost: number;

  constructor(defaultCost = 50) {
    this.defaultCost = defaultCost;
  }

  observe(operation: string, cost: QueryCost | null, now = Date.now()): void {
    if (!cost) return;
    if (cost.requestedQueryCost !== null) this.costs.set(operation, cost.requestedQueryCost);
    if (cost.throttleStatus) {
      this.status = cost.throttleStatus;
      this.seenAt = now;
    }
  }

  knowsStatus(): boolean {
    return this.status !== null;
  }

  /**
   * How long to wait before sending `operation` now. The expected cost is reserved at once, so
   * concurrent callers of one connector queue behind each other instead of all firing together.
   */
  reserve(operation: string, now = Date.now(), expectedCost?: number): number {
    if (!this.status) return 0;
    const cost = Math.min(this.costs.get(operation) ?? expectedCost ?? this.defaultCost, this.status.maximumAvailable);
    const wait = waitForCostMs(this.status, cost, now - this.seenAt);
    const at = now + wait;
    const available = Math.min(this.status.maximumAvailable, this.status.currentlyAvailable + (this.status.restoreRate * (at - this.seenAt)) / 1000);
    this.status = { ...this.status, currentlyAvailable: available - cost };
    this.seenAt = at;
    return wait;
  }
}
