import { num, type BenchDb } from "./bench-db.ts";

export interface Checks {
  ok: boolean;
  problems: string[];
  orders: number;
  allocated: number;
  backordered: number;
  /** Keys held by more than one live allocation. */
  duplicateKeys: number;
  /** (line, unit) pairs with more than one allocation row. */
  duplicateUnits: number;
  /** Orders whose one unit has no allocation row (neither allocated nor backordered). */
  unallocatedOrders: number;
  webhookEvents: number;
  failedJobs: number;
}

/**
 * Exactly once, checked on the whole database after the run: no key twice among live
 * allocations, one allocation per unit, every order sent allocated or backordered, the keys'
 * states agreeing with the allocations, one event per delivery.
 */
export async function checkExactlyOnce(db: BenchDb, accountId: string, sent: { deliveries: number; acknowledged: number }): Promise<Checks> {
  const one = async (sql: string, params: unknown[] = [accountId]) => num((await db.all<{ n: unknown }>(sql, params))[0]?.n ?? 0);
  const problems: string[] = [];
  const orders = await one("select count(*) as n from orders where account_id = ?");
  const allocated = await one("select count(*) as n from allocations where account_id = ? and status = 'allocated'");
  const backordered = await one("select count(*) as n from allocations where account_id = ? and status = 'backordered'");
  const duplicateKeys = await one("select count(*) as n from (select key_id from allocations where account_id = ? and status = 'allocated' group by key_id having count(*) > 1) d");
  const duplicateUnits = await one("select count(*) as n from (select order_line_id, unit_index from allocations where account_id = ? group by order_line_id, unit_index having count(*) > 1) d");
  const unallocatedOrders = await one(
    `select count(*) as n from order_lines l where l.account_id = ?
     and (select count(*) from allocations a where a.order_line_id = l.id) <> l.quantity * l.units_per_item`,
  );
  const heldKeys = await one("select count(*) as n from keys where account_id = ? and state in ('allocated', 'delivered')");
  const webhookEvents = await one("select count(*) as n from webhook_events where account_id = ?");
  const failedJobs = await one("select count(*) as n from jobs where account_id = ? and status = 'failed'");
  // A delivery answered 200 must be recorded; one that was not (timeout, 5xx) may or may not be —
  // Shopify would deliver it again — but nothing beyond what was sent may appear.
  if (webhookEvents < sent.acknowledged || webhookEvents > sent.deliveries) problems.push(`${webhookEvents} webhook events for ${sent.acknowledged} acknowledged of ${sent.deliveries} deliveries`);
  if (orders !== webhookEvents) problems.push(`${orders} orders for ${webhookEvents} recorded events`);
  if (allocated + backordered !== orders) problems.push(`${allocated} allocated + ${backordered} backordered units for ${orders} orders of 1 unit`);
  if (duplicateKeys) problems.push(`${duplicateKeys} keys held by more than one live allocation`);
  if (duplicateUnits) problems.push(`${duplicateUnits} units allocated more than once`);
  if (unallocatedOrders) problems.push(`${unallocatedOrders} order lines without exactly one allocation per unit`);
  if (heldKeys !== allocated) problems.push(`${heldKeys} keys allocated/delivered but ${allocated} live allocations`);
  if (failedJobs) problems.push(`${failedJobs} jobs parked as failed`);
  return { ok: problems.length === 0, problems, orders, allocated, backordered, duplicateKeys, duplicateUnits, unallocatedOrders, webhookEvents, failedJobs };
}
