import type { ResellerSandboxOrdersTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { iso } from "./resellers-repo.ts";

/** Sandbox (kr_test_) orders (migration 0023): their own table, never `orders`. */
export interface SandboxOrderRow {
  id: string;
  poolId: string;
  quantity: number;
  unitPriceMinor: number;
  totalMinor: number;
  currency: string;
  reference: string | null;
  codes: string[];
  createdAt: string;
}

function toRow(r: ResellerSandboxOrdersTable): SandboxOrderRow {
  return {
    id: r.id,
    poolId: r.pool_id,
    quantity: r.quantity,
    unitPriceMinor: Number(r.unit_price_minor),
    totalMinor: Number(r.total_minor),
    currency: r.currency,
    reference: r.reference,
    codes: JSON.parse(r.codes) as string[],
    createdAt: iso(r.created_at),
  };
}

export async function insertSandboxOrder(db: Executor, row: ResellerSandboxOrdersTable): Promise<void> {
  await db.insertInto("reseller_sandbox_orders").values(row).execute();
}

/** The reseller's own sandbox order (another reseller's or account's is undefined). */
export async function findSandboxOrder(db: Executor, accountId: string, resellerId: string, orderId: string): Promise<SandboxOrderRow | undefined> {
  const r = await db.selectFrom("reseller_sandbox_orders").selectAll().where("account_id", "=", accountId).where("reseller_id", "=", resellerId).where("id", "=", orderId).executeTakeFirst();
  return r && toRow(r);
}

/** Newest first; the cursor is the (created_at, id) of the last order of the previous page. */
export async function listSandboxOrders(db: Executor, accountId: string, resellerId: string, opts: { after?: { createdAt: string; id: string }; limit: number }): Promise<SandboxOrderRow[]> {
  let q = db.selectFrom("reseller_sandbox_orders").selectAll().where("account_id", "=", accountId).where("reseller_id", "=", resellerId);
  if (opts.after) {
    const a = opts.after;
    q = q.where((eb) => eb.or([eb("created_at", "<", a.createdAt), eb.and([eb("created_at", "=", a.createdAt), eb("id", "<", a.id)])]));
  }
  const rows = await q.orderBy("created_at", "desc").orderBy("id", "desc").limit(opts.limit).execute();
  return rows.map(toRow);
}

/** Units in the reseller's sandbox orders since `since` (the daily limit, sandbox side). */
export async function sandboxUnitsSince(db: Executor, resellerId: string, since: string): Promise<number> {
  const r = await db.selectFrom("reseller_sandbox_orders").select((eb) => eb.fn.sum<number>("quantity").as("n")).where("reseller_id", "=", resellerId).where("created_at", ">=", since).executeTakeFirst();
  return Number(r?.n ?? 0);
}
