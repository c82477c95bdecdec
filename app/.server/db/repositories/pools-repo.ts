import crypto from "node:crypto";
import type { KeyState, Pool, PoolsTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export type PoolFields = Omit<PoolsTable, "id" | "account_id" | "created_at" | "updated_at" | "archived_at" | "low_stock_alerted_at" | "list_price_minor" | "lead_time_days" | "service_level_pct" | "low_stock_days" | "cover_alerted_at">;

export async function insertPool(db: Executor, accountId: string, fields: PoolFields): Promise<Pool> {
  const now = new Date().toISOString();
  const row: Pool = { id: crypto.randomUUID(), account_id: accountId, ...fields, list_price_minor: null, lead_time_days: null, service_level_pct: null, low_stock_days: null, cover_alerted_at: null, low_stock_alerted_at: null, archived_at: null, created_at: now, updated_at: now };
  await db.insertInto("pools").values(row).execute();
  return row;
}

/** Updates a pool of this account; false when there is no such pool (other accounts' pools included). */
export async function updatePool(db: Executor, accountId: string, id: string, fields: Partial<PoolFields>): Promise<boolean> {
  const r = await db
    .updateTable("pools")
    .set({ ...fields, updated_at: new Date().toISOString() })
    .where("account_id", "=", accountId)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The forecast's restock plan of a pool (null = the defaults); false when there is no such pool here. */
export async function setPoolRestockPlan(db: Executor, accountId: string, id: string, plan: { leadTimeDays: number | null; serviceLevelPct: number | null; alertDays: number | null }): Promise<boolean> {
  const r = await db
    .updateTable("pools")
    .set({ lead_time_days: plan.leadTimeDays, service_level_pct: plan.serviceLevelPct, low_stock_days: plan.alertDays, updated_at: new Date().toISOString() })
    .where("account_id", "=", accountId)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The days-of-cover alert's once-per-dip flag; true when this call changed it (two racing checks alert once). */
export async function setCoverAlerted(db: Executor, poolId: string, alerted: boolean): Promise<boolean> {
  const r = await db
    .updateTable("pools")
    .set({ cover_alerted_at: alerted ? new Date().toISOString() : null })
    .where("id", "=", poolId)
    .where("cover_alerted_at", alerted ? "is" : "is not", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function setPoolArchived(db: Executor, accountId: string, id: string, archived: boolean): Promise<boolean> {
  const now = new Date().toISOString();
  const r = await db
    .updateTable("pools")
    .set({ archived_at: archived ? now : null, updated_at: now })
    .where("account_id", "=", accountId)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Key counts per state for some pools of an account (one grouped scan of the (pool, state) index). */
export async function poolKeyCounts(db: Executor, accountId: string, poolIds: string[]): Promise<Map<string, Partial<Record<KeyState, number>>>> {
  const out = new Map<string, Partial<Record<KeyState, number>>>();
  if (poolIds.length === 0) return out;
  const rows = await db
    .selectFrom("keys")
    .select((eb) => ["pool_id", "state", eb.fn.countAll<number>().as("n")])
    .where("account_id", "=", accountId)
    .where("pool_id", "in", poolIds)
    .groupBy(["pool_id", "state"])
    .execute();
  for (const r of rows) {
    const m = out.get(r.pool_id) ?? {};
    m[r.state] = Number(r.n);
    out.set(r.pool_id, m);
  }
  return out;
}

export async function countAvailable(db: Executor, poolId: string): Promise<number> {
  const r = await db
    .selectFrom("keys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("pool_id", "=", poolId)
    .where("state", "=", "available")
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Available keys of a pool, counted up to `cap` at most: enough to compare with a threshold after
 * every order without counting a million-key pool each time.
 */
export async function countAvailableUpTo(db: Executor, poolId: string, cap: number): Promise<number> {
  const r = await db
    .selectFrom((eb) => eb.selectFrom("keys").select("id").where("pool_id", "=", poolId).where("state", "=", "available").limit(cap).as("k"))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Sets or clears the low-stock flag; true only for the call that changed it (so one alert per dip). */
export async function setLowStockAlerted(db: Executor, accountId: string, poolId: string, alerted: boolean): Promise<boolean> {
  const r = await db
    .updateTable("pools")
    .set({ low_stock_alerted_at: alerted ? new Date().toISOString() : null })
    .where("account_id", "=", accountId)
    .where("id", "=", poolId)
    .where("low_stock_alerted_at", alerted ? "is" : "is not", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
