import { sql } from "kysely";
import type { Dialect } from "../../../../db/migrations/column-types.ts";
import { transitionOf, type KeyTransition } from "../../domain/key-states.ts";
import type { AllocationStatus, KeyState } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export interface UnitRow {
  id: number;
  orderLineId: string;
  unitIndex: number;
  poolId: string;
  keyId: number | null;
  status: AllocationStatus;
  keyState: KeyState | null;
}

/** Every allocation row of these lines, with its key's state. */
export async function listLineUnits(db: Executor, lineIds: string[]): Promise<UnitRow[]> {
  if (lineIds.length === 0) return [];
  const rows = await db
    .selectFrom("allocations as a")
    .leftJoin("keys as k", "k.id", "a.key_id")
    .select(["a.id", "a.order_line_id", "a.unit_index", "a.pool_id", "a.key_id", "a.status", "k.state as key_state"])
    .where("a.order_line_id", "in", lineIds)
    .orderBy("a.order_line_id")
    .orderBy("a.unit_index")
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    orderLineId: r.order_line_id,
    unitIndex: r.unit_index,
    poolId: r.pool_id,
    keyId: r.key_id === null ? null : Number(r.key_id),
    status: r.status,
    keyState: r.key_state ?? null,
  }));
}

/** An order's units still held for it: allocated (a key claimed) or backordered (waiting for one). */
export async function liveUnitsOfOrder(db: Executor, orderId: string) {
  return db
    .selectFrom("allocations as a")
    .innerJoin("order_lines as l", "l.id", "a.order_line_id")
    .select(["a.id", "a.status", "a.key_id", "a.pool_id", "l.pool_id as line_pool_id", "l.quantity"])
    .where("l.order_id", "=", orderId)
    .where("a.status", "in", ["allocated", "backordered"])
    .execute();
}

/**
 * Claims up to `n` available keys of a pool, oldest first, in one conditional statement, and
 * returns their ids. Two transactions can never claim the same key:
 * - SQLite: `UPDATE … WHERE id IN (SELECT … LIMIT n) AND state = 'available' RETURNING id` — the
 *   database has one writer at a time, and the state condition is re-checked on every row.
 * - Postgres: the inner select locks its rows `FOR UPDATE SKIP LOCKED`, so concurrent claims take
 *   different keys instead of waiting for (or double-taking) the same ones.
 * Keys past their batch's expiry are never claimed, even before the expiry job marks them.
 */
export async function claimAvailableKeys(db: Executor, dialect: Dialect, poolId: string, n: number, now: string): Promise<number[]> {
  if (n <= 0) return [];
  // Postgres: the pick is a CTE, which runs once. As an `IN (subquery)` the planner may re-run the
  // subquery per row, and with SKIP LOCKED each run skips the rows the previous ones just locked,
  // so the statement would claim more than n keys.
  const result =
    dialect === "postgres"
      ? await sql<{ id: number }>`
          with picked as (
            select id from keys
            where pool_id = ${poolId} and state = 'available' and (expires_at is null or expires_at > ${now})
            order by id
            limit ${n}
            for update skip locked
          )
          update keys set state = 'allocated', allocated_at = ${now}, state_changed_at = ${now}
          from picked where keys.id = picked.id and keys.state = 'available'
          returning keys.id`.execute(db)
      : await sql<{ id: number }>`
          update keys set state = 'allocated', allocated_at = ${now}, state_changed_at = ${now}
          where id in (
            select id from keys
            where pool_id = ${poolId} and state = 'available' and (expires_at is null or expires_at > ${now})
            order by id
            limit ${n}
          ) and state = 'available'
          returning id`.execute(db);
  const ids = result.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  if (ids.length > n) throw new Error(`claimed ${ids.length} keys for ${n} units`);
  return ids;
}

export interface NewUnit {
  accountId: string;
  orderLineId: string;
  unitIndex: number;
  poolId: string;
  keyId: number | null;
  now: string;
}

/** One row per unit; the unique (line, unit) constraint refuses a second allocation of the same unit. */
export async function insertUnits(db: Executor, units: NewUnit[]): Promise<void> {
  for (let i = 0; i < units.length; i += 200) {
    await db
      .insertInto("allocations")
      .values(
        units.slice(i, i + 200).map((u) => ({
          account_id: u.accountId,
          order_line_id: u.orderLineId,
          unit_index: u.unitIndex,
          pool_id: u.poolId,
          key_id: u.keyId,
          status: u.keyId === null ? ("backordered" as const) : ("allocated" as const),
          created_at: u.now,
          fulfilled_at: u.keyId === null ? null : u.now,
        })),
      )
      .execute();
  }
}

/** Moves an allocation row from one status to another; false when it was no longer in `from`. */
export async function setUnitStatus(db: Executor, id: number, from: AllocationStatus, to: AllocationStatus): Promise<boolean> {
  const r = await db.updateTable("allocations").set({ status: to }).where("id", "=", id).where("status", "=", from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Gives a waiting backorder its key; false when the backorder was dropped or filled meanwhile. */
export async function fillBackorder(db: Executor, id: number, keyId: number, now: string): Promise<boolean> {
  const r = await db
    .updateTable("allocations")
    .set({ status: "allocated", key_id: keyId, fulfilled_at: now })
    .where("id", "=", id)
    .where("status", "=", "backordered")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Applies one legal key transition (see domain/key-states.ts) to these keys, each as a
 * conditional UPDATE on its current state; returns the ids that moved.
 */
export async function transitionKeys(db: Executor, keyIds: number[], transition: KeyTransition, now: string): Promise<number[]> {
  if (keyIds.length === 0) return [];
  const { from, to } = transitionOf(transition);
  const moved: number[] = [];
  for (let i = 0; i < keyIds.length; i += 500) {
    const rows = await db
      .updateTable("keys")
      .set({ state: to, state_changed_at: now, ...(to === "delivered" ? { delivered_at: now } : {}) })
      .where("id", "in", keyIds.slice(i, i + 500))
      .where("state", "in", [...from])
      .returning("id")
      .execute();
    moved.push(...rows.map((r) => Number(r.id)));
  }
  return moved;
}

/** Whether any unit waits for stock in this pool (backorders are served first in, first out). */
export async function poolHasBackorders(db: Executor, poolId: string): Promise<boolean> {
  const row = await db.selectFrom("allocations").select("id").where("pool_id", "=", poolId).where("status", "=", "backordered").limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Puts a key no channel has carried back on sale (return_unseen, then restock), each a
 * conditional UPDATE; false when the key was marked delivered meanwhile and stays off sale.
 */
export async function returnUnseenKey(db: Executor, keyId: number, now: string): Promise<boolean> {
  if ((await transitionKeys(db, [keyId], "return_unseen", now)).length !== 1) return false;
  await transitionKeys(db, [keyId], "restock", now);
  return true;
}

export interface BackorderRow {
  id: number;
  orderLineId: string;
  orderId: string;
}

/** The oldest waiting backorders of a pool (Postgres: skipping rows another filler holds). */
export async function oldestBackorders(db: Executor, dialect: Dialect, poolId: string, limit: number): Promise<BackorderRow[]> {
  const lock = dialect === "postgres" ? sql`for update of a skip locked` : sql``;
  const r = await sql<{ id: number; order_line_id: string; order_id: string }>`
    select a.id, a.order_line_id, l.order_id from allocations a join order_lines l on l.id = a.order_line_id
    where a.pool_id = ${poolId} and a.status = 'backordered'
    order by a.id
    limit ${limit}
    ${lock}`.execute(db);
  return r.rows.map((x) => ({ id: Number(x.id), orderLineId: x.order_line_id, orderId: x.order_id }));
}
