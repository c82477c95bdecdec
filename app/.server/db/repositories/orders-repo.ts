import crypto from "node:crypto";
import { sql } from "kysely";
import type { Order, OrderLine, OrderStatus } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export interface OrderInput {
  accountId: string;
  storeId: string;
  externalId: string;
  name: string | null;
  email: string | null;
  customerName: string | null;
  customerId: string | null;
  /** Kept once known: a later read that lacks it does not erase it. */
  confirmationNumber?: string | null;
  locale: string | null;
  currency: string | null;
  totalMinor: number | null;
  financialStatus: string | null;
  placedAt: string | null;
}

export interface OrderLineInput {
  externalLineId: string;
  productId: string | null;
  variantId: string | null;
  title: string | null;
  quantity: number;
  refundedQuantity: number;
  unitPriceMinor: number | null;
}

/**
 * Inserts the order or refreshes what the host says about it, and returns the row. On Postgres the
 * upsert takes the order's row lock, so two transactions for the same order run one after the
 * other: the second sees the first's allocations and has nothing left to do.
 */
export async function upsertOrder(db: Executor, input: OrderInput, now: string): Promise<Order> {
  const fields = {
    name: input.name,
    email: input.email,
    customer_name: input.customerName,
    customer_id: input.customerId,
    ...(input.confirmationNumber ? { confirmation_number: input.confirmationNumber } : {}),
    locale: input.locale,
    currency: input.currency,
    total_minor: input.totalMinor,
    financial_status: input.financialStatus,
    placed_at: input.placedAt,
    updated_at: now,
  };
  return db
    .insertInto("orders")
    .values({
      id: crypto.randomUUID(),
      account_id: input.accountId,
      store_id: input.storeId,
      reseller_id: null,
      external_id: input.externalId,
      status: "received",
      risk_decision: "none",
      risk_reasons: null,
      created_at: now,
      ...fields,
    })
    .onConflict((oc) => oc.columns(["store_id", "external_id"]).doUpdateSet(fields))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Inserts or refreshes the order's lines. Refunded quantities only ever grow: an older payload
 * processed late cannot un-refund a unit.
 */
export async function upsertOrderLines(db: Executor, order: Pick<Order, "id" | "account_id">, lines: OrderLineInput[], now: string): Promise<OrderLine[]> {
  for (const l of lines) {
    await db
      .insertInto("order_lines")
      .values({
        id: crypto.randomUUID(),
        account_id: order.account_id,
        order_id: order.id,
        external_line_id: l.externalLineId,
        product_id: l.productId,
        variant_id: l.variantId,
        title: l.title,
        quantity: l.quantity,
        refunded_quantity: Math.min(l.refundedQuantity, l.quantity),
        unit_price_minor: l.unitPriceMinor,
        mapping_id: null,
        pool_id: null,
        units_per_item: 1,
        created_at: now,
      })
      .onConflict((oc) =>
        oc.columns(["order_id", "external_line_id"]).doUpdateSet(() => {
          const refunded = Math.min(l.refundedQuantity, l.quantity);
          // Portable max(): SQLite's scalar max() is Postgres's greatest().
          return { title: l.title, refunded_quantity: sql<number>`case when order_lines.refunded_quantity > ${refunded} then order_lines.refunded_quantity else ${refunded} end` };
        }),
      )
      .execute();
  }
  return listOrderLines(db, order.id);
}

export function listOrderLines(db: Executor, orderId: string): Promise<OrderLine[]> {
  return db.selectFrom("order_lines").selectAll().where("order_id", "=", orderId).orderBy("created_at").orderBy("external_line_id").execute();
}

/** Binds a line to the mapping that decides its pool, once: later mapping edits do not move keys already owed. */
export async function bindLineToPool(db: Executor, lineId: string, binding: { mappingId: string; poolId: string; unitsPerItem: number }): Promise<OrderLine | undefined> {
  return db
    .updateTable("order_lines")
    .set({ mapping_id: binding.mappingId, pool_id: binding.poolId, units_per_item: binding.unitsPerItem })
    .where("id", "=", lineId)
    .where("pool_id", "is", null)
    .returningAll()
    .executeTakeFirst();
}

export async function setOrderStatus(db: Executor, orderId: string, status: OrderStatus, now: string): Promise<void> {
  await db.updateTable("orders").set({ status, updated_at: now }).where("id", "=", orderId).execute();
}

export function findOrderByExternalId(db: Executor, storeId: string, externalId: string): Promise<Order | undefined> {
  return db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", externalId).executeTakeFirst();
}

export function findOrderById(db: Executor, orderId: string): Promise<Order | undefined> {
  return db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
}

/** Whether the order is this account's (another account's id is answered like an unknown one). */
export async function orderBelongsTo(db: Executor, accountId: string, orderId: string): Promise<boolean> {
  const row = await db.selectFrom("orders").select("id").where("account_id", "=", accountId).where("id", "=", orderId).executeTakeFirst();
  return row !== undefined;
}
