import crypto from "node:crypto";
import { sql } from "kysely";
import type { Reseller, ResellersTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export type NewReseller = Pick<ResellersTable, "name" | "email" | "currency" | "credit_limit_minor" | "max_units_per_order" | "max_units_per_day" | "rate_per_second" | "rate_burst">;

export async function insertReseller(db: Executor, accountId: string, r: NewReseller, now: string): Promise<Reseller> {
  const row: Reseller = { id: crypto.randomUUID(), account_id: accountId, status: "active", balance_minor: 0, low_balance_minor: null, created_at: now, updated_at: now, ...r };
  await db.insertInto("resellers").values(row).execute();
  return row;
}

export function listResellers(db: Executor, accountId: string): Promise<Reseller[]> {
  return db.selectFrom("resellers").selectAll().where("account_id", "=", accountId).orderBy("name").orderBy("id").execute().then((rows) => rows.map(normalise));
}

/** This account's reseller by id (another account's is undefined). */
export async function findReseller(db: Executor, accountId: string, id: string): Promise<Reseller | undefined> {
  const r = await db.selectFrom("resellers").selectAll().where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  return r && normalise(r);
}

/**
 * Reads the reseller and takes its row's write lock for the rest of the transaction (a no-op
 * UPDATE, portable where SELECT … FOR UPDATE is not): one reseller's orders and ledger entries
 * run one after the other, so a balance or a daily count read here stays true until commit.
 */
export async function lockReseller(db: Executor, accountId: string, id: string): Promise<Reseller | undefined> {
  const r = await db
    .updateTable("resellers")
    .set((eb) => ({ balance_minor: eb.ref("balance_minor") }))
    .where("account_id", "=", accountId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return r && normalise(r);
}

export async function setResellerStatus(db: Executor, accountId: string, id: string, status: Reseller["status"], now: string): Promise<boolean> {
  const r = await db.updateTable("resellers").set({ status, updated_at: now }).where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface PriceRow {
  poolId: string;
  poolName: string;
  priceMinor: number | null;
  discountBps: number | null;
  listPriceMinor: number | null;
  poolCurrency: string | null;
  archived: boolean;
  priceUpdatedAt: string;
  poolUpdatedAt: string;
}

/** Sets the pool's price (or discount) for the reseller; the pool joins its list. */
export async function upsertPrice(db: Executor, accountId: string, resellerId: string, poolId: string, p: { priceMinor: number | null; discountBps: number | null }, now: string): Promise<void> {
  await db
    .insertInto("reseller_prices")
    .values({ account_id: accountId, reseller_id: resellerId, pool_id: poolId, price_minor: p.priceMinor, discount_bps: p.discountBps, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["reseller_id", "pool_id"]).doUpdateSet({ price_minor: p.priceMinor, discount_bps: p.discountBps, updated_at: now }))
    .execute();
}

/** Takes the pool off the reseller's list; false when it was not on it. */
export async function deletePrice(db: Executor, accountId: string, resellerId: string, poolId: string): Promise<boolean> {
  const r = await db.deleteFrom("reseller_prices").where("account_id", "=", accountId).where("reseller_id", "=", resellerId).where("pool_id", "=", poolId).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** The merchant's edit of a reseller's profile and limits (never its currency: the ledger is in it). */
export async function updateResellerRow(
  db: Executor,
  accountId: string,
  id: string,
  v: Partial<Pick<ResellersTable, "name" | "email" | "credit_limit_minor" | "max_units_per_order" | "max_units_per_day" | "rate_per_second" | "rate_burst">>,
  now: string,
): Promise<boolean> {
  const r = await db.updateTable("resellers").set({ ...v, updated_at: now }).where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

const priceColumns = (q: ReturnType<typeof priceQuery>) => q;
function priceQuery(db: Executor, accountId: string, resellerId: string) {
  return db
    .selectFrom("reseller_prices as rp")
    .innerJoin("pools as p", (j) => j.onRef("p.id", "=", "rp.pool_id").onRef("p.account_id", "=", "rp.account_id"))
    .select(["rp.pool_id", "p.name", "rp.price_minor", "rp.discount_bps", "p.list_price_minor", "p.currency", "p.archived_at", "rp.updated_at as price_updated_at", "p.updated_at as pool_updated_at"])
    .where("rp.account_id", "=", accountId)
    .where("rp.reseller_id", "=", resellerId);
}

function toPriceRow(r: { pool_id: string; name: string; price_minor: number | null; discount_bps: number | null; list_price_minor: number | null; currency: string | null; archived_at: string | null; price_updated_at: string; pool_updated_at: string }): PriceRow {
  return {
    poolId: r.pool_id,
    poolName: r.name,
    priceMinor: r.price_minor === null ? null : Number(r.price_minor),
    discountBps: r.discount_bps,
    listPriceMinor: r.list_price_minor === null ? null : Number(r.list_price_minor),
    poolCurrency: r.currency,
    archived: r.archived_at !== null,
    priceUpdatedAt: iso(r.price_updated_at),
    poolUpdatedAt: iso(r.pool_updated_at),
  };
}

export async function listPrices(db: Executor, accountId: string, resellerId: string): Promise<PriceRow[]> {
  const rows = await priceColumns(priceQuery(db, accountId, resellerId)).orderBy("p.name").orderBy("rp.pool_id").execute();
  return rows.map(toPriceRow);
}

export async function findPrice(db: Executor, accountId: string, resellerId: string, poolId: string): Promise<PriceRow | undefined> {
  const r = await priceQuery(db, accountId, resellerId).where("rp.pool_id", "=", poolId).executeTakeFirst();
  return r && toPriceRow(r);
}

export async function setListPrice(db: Executor, accountId: string, poolId: string, listPriceMinor: number | null, now: string): Promise<boolean> {
  const r = await db.updateTable("pools").set({ list_price_minor: listPriceMinor, updated_at: now }).where("account_id", "=", accountId).where("id", "=", poolId).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Units the reseller ordered since `since` (its orders not cancelled or refunded): the daily limit's count. */
export async function unitsOrderedSince(db: Executor, resellerId: string, since: string): Promise<number> {
  const r = await db
    .selectFrom("orders as o")
    .innerJoin("order_lines as l", "l.order_id", "o.id")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("l.quantity"), sql<number>`0`).as("n"))
    .where("o.reseller_id", "=", resellerId)
    .where("o.created_at", ">=", since)
    .where("o.status", "not in", ["cancelled", "refunded"])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** When a pool's stock last moved (a key changed state), for the catalog's change feed. */
export async function stockChangedAt(db: Executor, poolId: string): Promise<string | null> {
  const r = await db.selectFrom("keys").select((eb) => eb.fn.max("state_changed_at").as("at")).where("pool_id", "=", poolId).executeTakeFirst();
  return r?.at ? iso(r.at as string) : null;
}

/** Postgres hands back Dates for timestamptz and strings for bigints; SQLite strings and numbers. */
export function iso(v: string | Date): string {
  return v instanceof Date ? v.toISOString() : new Date(v).toISOString();
}

function normalise(r: Reseller): Reseller {
  return { ...r, balance_minor: Number(r.balance_minor), credit_limit_minor: Number(r.credit_limit_minor), created_at: iso(r.created_at), updated_at: iso(r.updated_at) };
}

/** Per reseller of the account, its orders placed since `since` (every status): the list page's activity column. */
export async function orderCountsSince(db: Executor, accountId: string, since: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("orders")
    .select((eb) => ["reseller_id", eb.fn.countAll<number>().as("n")])
    .where("account_id", "=", accountId)
    .where("reseller_id", "is not", null)
    .where("created_at", ">=", since)
    .groupBy("reseller_id")
    .execute();
  return new Map(rows.map((r) => [r.reseller_id as string, Number(r.n)]));
}
