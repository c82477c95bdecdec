import type { ResellerLedgerEntry, ResellerLedgerTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { iso } from "./resellers-repo.ts";

export type NewLedgerEntry = Omit<ResellerLedgerTable, "id" | "created_at">;

/**
 * Appends one entry and moves the reseller's balance by its amount, in the caller's transaction
 * (which holds the reseller's row lock: see lockReseller). The entry records the balance after it.
 */
export async function appendLedgerEntry(db: Executor, e: NewLedgerEntry, now: string): Promise<ResellerLedgerEntry> {
  await db
    .updateTable("resellers")
    .set((eb) => ({ balance_minor: eb("balance_minor", "+", e.amount_minor), updated_at: now }))
    .where("account_id", "=", e.account_id)
    .where("id", "=", e.reseller_id)
    .execute();
  const row = await db.insertInto("reseller_ledger").values({ ...e, created_at: now }).returningAll().executeTakeFirstOrThrow();
  return normalise(row);
}

/**
 * Debits an order in one conditional UPDATE: the balance moves only when the reseller is active
 * and the result stays at or above zero minus its credit limit; the row lock it takes is held to
 * commit, so the entry written next records the true balance after it. Undefined when refused.
 * Run as the last step of the order's transaction, the lock is held only for that short end.
 */
export async function debitIfCovered(db: Executor, accountId: string, resellerId: string, amountMinor: number, now: string): Promise<{ balanceAfter: number } | undefined> {
  const r = await db
    .updateTable("resellers")
    .set((eb) => ({ balance_minor: eb("balance_minor", "-", amountMinor), updated_at: now }))
    .where("account_id", "=", accountId)
    .where("id", "=", resellerId)
    .where("status", "=", "active")
    .where((eb) => eb(eb("balance_minor", "-", amountMinor), ">=", eb.neg(eb.ref("credit_limit_minor"))))
    .returning("balance_minor")
    .executeTakeFirst();
  return r && { balanceAfter: Number(r.balance_minor) };
}

/** The entry of a debit already applied by debitIfCovered (same transaction). */
export async function insertLedgerRow(db: Executor, e: NewLedgerEntry, now: string): Promise<void> {
  await db.insertInto("reseller_ledger").values({ ...e, created_at: now }).execute();
}

/** Newest first; `before` is the id of the last entry of the previous page. */
export async function listLedgerEntries(db: Executor, accountId: string, resellerId: string, opts: { before?: number; limit: number }): Promise<ResellerLedgerEntry[]> {
  let q = db.selectFrom("reseller_ledger").selectAll().where("account_id", "=", accountId).where("reseller_id", "=", resellerId);
  if (opts.before !== undefined) q = q.where("id", "<", opts.before);
  const rows = await q.orderBy("id", "desc").limit(opts.limit).execute();
  return rows.map(normalise);
}

export async function ledgerSum(db: Executor, resellerId: string): Promise<{ sum: number; entries: number }> {
  const r = await db
    .selectFrom("reseller_ledger")
    .select((eb) => [eb.fn.sum<number>("amount_minor").as("sum"), eb.fn.countAll<number>().as("n")])
    .where("reseller_id", "=", resellerId)
    .executeTakeFirstOrThrow();
  return { sum: Number(r.sum ?? 0), entries: Number(r.n) };
}

function normalise(r: ResellerLedgerEntry): ResellerLedgerEntry {
  return { ...r, id: Number(r.id), amount_minor: Number(r.amount_minor), balance_after_minor: Number(r.balance_after_minor), created_at: iso(r.created_at) };
}
