import { epochMs, num, type BenchDb } from "./bench-db.ts";
import { orderExternalId } from "./order-payload.ts";

/**
 * "Keys committed" = the order's allocation row exists (allocated, or backordered when the pool
 * ran dry): the transaction that claims the key has committed. Write-back, email and stock sync
 * are later jobs and not part of this figure.
 */
export async function countAllocations(db: BenchDb, accountId: string): Promise<number> {
  const [r] = await db.all<{ n: unknown }>("select count(*) as n from allocations where account_id = ?", [accountId]);
  return num(r.n);
}

/** Polls until `expected` allocation rows exist; the epoch ms it saw them, or undefined at the deadline. */
export async function waitForAllocations(db: BenchDb, accountId: string, expected: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await countAllocations(db, accountId)) >= expected) return Date.now();
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Work the workers still have (pending or running job rows), by queue. */
export async function openJobs(db: BenchDb): Promise<Record<string, number>> {
  const rows = await db.all<{ queue: string; n: unknown }>("select queue, count(*) as n from jobs where status in ('pending', 'running') group by queue");
  return Object.fromEntries(rows.map((r) => [r.queue, num(r.n)]));
}

export async function waitForJobsDrained(db: BenchDb, timeoutMs: number): Promise<{ drained: boolean; left: Record<string, number> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await openJobs(db);
    if (Object.keys(left).length === 0) return { drained: true, left };
    if (Date.now() > deadline) return { drained: false, left };
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface OrderTimes {
  /** Epoch ms the webhook_events row was written (the request's receipt). */
  receivedAt?: number;
  /** Epoch ms of the allocation row (the claiming transaction's clock). */
  committedAt?: number;
}

/** Per order sequence number: when its webhook was recorded and when its key was committed. */
export async function orderTimes(db: BenchDb, accountId: string, shop: string, seqs: { from: number; to: number }): Promise<Map<number, OrderTimes>> {
  const out = new Map<number, OrderTimes>();
  const base = orderExternalId(0);
  const allocs = await db.all<{ external_id: string; created_at: unknown }>(
    `select o.external_id, min(a.created_at) as created_at
     from allocations a join order_lines l on l.id = a.order_line_id join orders o on o.id = l.order_id
     where a.account_id = ? group by o.external_id`,
    [accountId],
  );
  for (const a of allocs) {
    const seq = Number(a.external_id) - base;
    if (seq >= seqs.from && seq < seqs.to) out.set(seq, { committedAt: epochMs(a.created_at) });
  }
  const prefix = `shopify:${shop}:orders/paid:event:bench-`;
  const events = await db.all<{ dedupe_key: string; received_at: unknown }>("select dedupe_key, received_at from webhook_events where account_id = ?", [accountId]);
  for (const e of events) {
    if (!e.dedupe_key.startsWith(prefix)) continue;
    const seq = Number(e.dedupe_key.slice(prefix.length));
    if (seq < seqs.from || seq >= seqs.to) continue;
    const t = out.get(seq) ?? {};
    t.receivedAt = epochMs(e.received_at);
    out.set(seq, t);
  }
  return out;
}

/**
 * Work the app does for orders after their jobs, on timers: report rollups to fold in (changed
 * orders, every REPORTS_REFRESH_INTERVAL_MS) and audit rows to seal onto the chain (every 30 s).
 */
export async function deferredWorkLeft(db: BenchDb): Promise<{ reportOrders: number; unsealedAudit: number }> {
  const [r] = await db.all<{ n: unknown }>("select count(*) as n from report_dirty_orders");
  const [a] = await db.all<{ n: unknown }>("select count(*) as n from audit_log l left join audit_chain c on c.audit_id = l.id where c.id is null");
  return { reportOrders: num(r.n), unsealedAudit: num(a.n) };
}

export async function waitForDeferredWork(db: BenchDb, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await deferredWorkLeft(db);
    if (left.reportOrders === 0 && left.unsealedAudit === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}
