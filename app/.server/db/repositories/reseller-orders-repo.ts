import crypto from "node:crypto";
import type { Order, OrderLine, OrderStatus } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { iso } from "./resellers-repo.ts";

export interface NewResellerOrder {
  accountId: string;
  resellerId: string;
  poolId: string;
  poolName: string;
  quantity: number;
  unitPriceMinor: number;
  currency: string;
  reference: string | null;
}

/**
 * An API purchase as an order of the reseller (orders.reseller_id, never a store) with one line
 * bound to the pool, so allocation, backorders, stock sync and the admin's order pages treat it
 * like any order. Its external id is its own id: the Idempotency-Key, not the id, merges retries.
 */
export async function insertResellerOrder(db: Executor, o: NewResellerOrder, now: string): Promise<{ order: Order; line: OrderLine }> {
  const id = crypto.randomUUID();
  const order = await db
    .insertInto("orders")
    .values({
      id,
      account_id: o.accountId,
      store_id: null,
      reseller_id: o.resellerId,
      external_id: id,
      name: null,
      email: null,
      customer_name: null,
      customer_id: null,
      confirmation_number: null,
      locale: null,
      currency: o.currency,
      total_minor: o.unitPriceMinor * o.quantity,
      financial_status: "paid",
      status: "received",
      risk_decision: "none",
      risk_reasons: null,
      placed_at: now,
      reference: o.reference,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const line = await db
    .insertInto("order_lines")
    .values({
      id: crypto.randomUUID(),
      account_id: o.accountId,
      order_id: id,
      external_line_id: "1",
      product_id: null,
      variant_id: null,
      title: o.poolName,
      quantity: o.quantity,
      refunded_quantity: 0,
      unit_price_minor: o.unitPriceMinor,
      mapping_id: null,
      pool_id: o.poolId,
      units_per_item: 1,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { order, line };
}

export interface ResellerOrderRow {
  id: string;
  status: OrderStatus;
  reference: string | null;
  currency: string | null;
  totalMinor: number;
  createdAt: string;
  poolId: string | null;
  quantity: number;
  unitPriceMinor: number;
  /** hold: the merchant's risk rules hold it for review; rejected: the review denied it. */
  riskDecision: Order["risk_decision"];
}

const orderSelect = (db: Executor) =>
  db
    .selectFrom("orders as o")
    .innerJoin("order_lines as l", "l.order_id", "o.id")
    .select(["o.id", "o.status", "o.reference", "o.currency", "o.total_minor", "o.created_at", "o.risk_decision", "l.pool_id", "l.quantity", "l.unit_price_minor"]);

function toRow(r: { id: string; status: OrderStatus; reference: string | null; currency: string | null; total_minor: number | null; created_at: string; pool_id: string | null; quantity: number; unit_price_minor: number | null; risk_decision: Order["risk_decision"] }): ResellerOrderRow {
  return {
    id: r.id,
    status: r.status,
    reference: r.reference,
    currency: r.currency,
    totalMinor: Number(r.total_minor ?? 0),
    createdAt: iso(r.created_at),
    poolId: r.pool_id,
    quantity: r.quantity,
    unitPriceMinor: Number(r.unit_price_minor ?? 0),
    riskDecision: r.risk_decision,
  };
}

/** The reseller's own order (another reseller's or account's is undefined). */
export async function findResellerOrder(db: Executor, accountId: string, resellerId: string, orderId: string): Promise<ResellerOrderRow | undefined> {
  const r = await orderSelect(db).where("o.account_id", "=", accountId).where("o.reseller_id", "=", resellerId).where("o.id", "=", orderId).executeTakeFirst();
  return r && toRow(r);
}

/** Newest first; the cursor is the (created_at, id) of the last order of the previous page. */
export async function listResellerOrders(db: Executor, accountId: string, resellerId: string, opts: { after?: { createdAt: string; id: string }; limit: number }): Promise<ResellerOrderRow[]> {
  let q = orderSelect(db).where("o.account_id", "=", accountId).where("o.reseller_id", "=", resellerId);
  if (opts.after) {
    const a = opts.after;
    q = q.where((eb) => eb.or([eb("o.created_at", "<", a.createdAt), eb.and([eb("o.created_at", "=", a.createdAt), eb("o.id", "<", a.id)])]));
  }
  const rows = await q.orderBy("o.created_at", "desc").orderBy("o.id", "desc").limit(opts.limit).execute();
  return rows.map(toRow);
}

export interface OrderUnit {
  unitIndex: number;
  status: string;
  ciphertext: Buffer | null;
  masterKeyId: string | null;
}

/** The order's units with their keys' ciphertext (opened only for the reseller's own answer). */
export async function listOrderUnits(db: Executor, accountId: string, orderId: string): Promise<OrderUnit[]> {
  const rows = await db
    .selectFrom("allocations as a")
    .innerJoin("order_lines as l", "l.id", "a.order_line_id")
    .leftJoin("keys as k", "k.id", "a.key_id")
    .select(["a.unit_index", "a.status", "k.ciphertext", "k.key_id as master_key_id"])
    .where("a.account_id", "=", accountId)
    .where("l.order_id", "=", orderId)
    .orderBy("a.unit_index")
    .execute();
  return rows.map((r) => ({ unitIndex: r.unit_index, status: r.status, ciphertext: r.ciphertext ? Buffer.from(r.ciphertext) : null, masterKeyId: r.master_key_id }));
}
