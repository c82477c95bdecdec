import { z } from "zod";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { deletePrice, findReseller, insertReseller, listPrices, orderCountsSince, listResellers, setListPrice, setResellerStatus, upsertPrice, type PriceRow } from "../db/repositories/resellers-repo.ts";
import type { Reseller } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { parseAmount, parseDiscount } from "../domain/reseller-price.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/** The merchant's side of resellers: create, list, suspend, price list. Every call names the account. */

const optionalCount = z.union([z.number(), z.string()]).optional().transform((v, ctx) => {
  if (v === undefined || v === "") return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000) {
    ctx.addIssue({ code: "custom", message: "reseller_limit" });
    return z.NEVER;
  }
  return n;
});

export const ResellerInput = z.object({
  name: z.string().trim().min(1, "reseller_name").max(200, "reseller_name"),
  email: z.string().trim().toLowerCase().email("reseller_email").max(320, "reseller_email"),
  currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, "reseller_currency"),
  creditLimit: z.string().optional(),
  maxUnitsPerOrder: optionalCount,
  maxUnitsPerDay: optionalCount,
  ratePerSecond: optionalCount,
  rateBurst: optionalCount,
});

export function invalid(issue: z.core.$ZodIssue): never {
  const field = String(issue.path[0] ?? "");
  throw new InvalidInputError(/^reseller_/.test(issue.message) ? issue.message : "invalid_input", `${field}: ${issue.message}`, { field, params: { field } });
}

export async function createReseller(s: Pick<Services, "db">, accountId: string, raw: unknown, actor: Actor): Promise<Reseller> {
  const r = ResellerInput.safeParse(raw);
  if (!r.success) invalid(r.error.issues[0]);
  const v = r.data;
  const credit = v.creditLimit === undefined || v.creditLimit === "" ? 0 : parseAmount(v.creditLimit, v.currency);
  if (credit === null) throw new InvalidInputError("reseller_amount", "creditLimit: not an amount in the currency", { field: "creditLimit", params: { field: "creditLimit" } });
  return s.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const reseller = await insertReseller(
      trx,
      accountId,
      { name: v.name, email: v.email, currency: v.currency, credit_limit_minor: credit, max_units_per_order: v.maxUnitsPerOrder, max_units_per_day: v.maxUnitsPerDay, rate_per_second: v.ratePerSecond, rate_burst: v.rateBurst },
      now,
    );
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: "reseller.created", subjectType: "reseller", subjectId: reseller.id, details: { currency: v.currency, creditLimitMinor: credit } });
    return reseller;
  });
}

export function listAccountResellers(s: Pick<Services, "db">, accountId: string): Promise<Reseller[]> {
  return listResellers(s.db, accountId);
}

export interface ResellerOverview {
  id: string;
  name: string;
  email: string | null;
  status: Reseller["status"];
  currency: string;
  balanceMinor: number;
  creditLimitMinor: number;
  ordersLast30Days: number;
}

/** The merchant's list: every reseller with its balance and its orders of the last 30 days. */
export async function listResellerOverview(s: Pick<Services, "db">, accountId: string, now = new Date()): Promise<ResellerOverview[]> {
  const since = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  const [rows, counts] = await Promise.all([listResellers(s.db, accountId), orderCountsSince(s.db, accountId, since)]);
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, status: r.status, currency: r.currency, balanceMinor: r.balance_minor, creditLimitMinor: r.credit_limit_minor, ordersLast30Days: counts.get(r.id) ?? 0 }));
}

export async function requireReseller(s: Pick<Services, "db">, accountId: string, resellerId: string): Promise<Reseller> {
  const r = await findReseller(s.db, accountId, resellerId);
  if (!r) throw new InvalidInputError("reseller_not_found", "no such reseller in this account", { field: "reseller", params: { id: resellerId } });
  return r;
}

export async function setResellerSuspended(s: Pick<Services, "db">, accountId: string, resellerId: string, suspended: boolean, actor: Actor): Promise<void> {
  await s.db.transaction().execute(async (trx) => {
    if (!(await setResellerStatus(trx, accountId, resellerId, suspended ? "suspended" : "active", new Date().toISOString()))) {
      throw new InvalidInputError("reseller_not_found", "no such reseller in this account", { field: "reseller", params: { id: resellerId } });
    }
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: suspended ? "reseller.suspended" : "reseller.activated", subjectType: "reseller", subjectId: resellerId });
  });
}

/**
 * Puts a pool on the reseller's list at a price ("12.50", in the reseller's currency) or a
 * discount ("15%") from the pool's list price. Exactly one of the two.
 */
export async function setResellerPrice(s: Pick<Services, "db">, accountId: string, input: { resellerId: string; poolId: string; price?: string; discount?: string }, actor: Actor): Promise<PriceRow> {
  const reseller = await requireReseller(s, accountId, input.resellerId);
  if ((input.price === undefined) === (input.discount === undefined)) throw new InvalidInputError("reseller_price_or_discount", "give --price or --discount", { field: "price" });
  let priceMinor: number | null = null;
  let discountBps: number | null = null;
  if (input.price !== undefined) {
    priceMinor = parseAmount(input.price, reseller.currency);
    if (priceMinor === null) throw new InvalidInputError("reseller_amount", "price: not an amount in the reseller's currency", { field: "price", params: { field: "price" } });
  } else {
    discountBps = parseDiscount(input.discount!);
    if (discountBps === null) throw new InvalidInputError("reseller_discount", "discount: a percentage from 0% to 100%", { field: "discount" });
  }
  return s.db.transaction().execute(async (trx) => {
    const pool = await trx.selectFrom("pools").select(["id"]).where("account_id", "=", accountId).where("id", "=", input.poolId).executeTakeFirst();
    if (!pool) throw new InvalidInputError("pool_not_found", "no such pool in this account", { field: "pool" });
    await upsertPrice(trx, accountId, reseller.id, pool.id, { priceMinor, discountBps }, new Date().toISOString());
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: "reseller.price_set", subjectType: "reseller", subjectId: reseller.id, details: { poolId: pool.id, priceMinor, discountBps } });
    return (await listPrices(trx, accountId, reseller.id)).find((p) => p.poolId === pool.id)!;
  });
}

/** Takes a pool off the reseller's list: its catalog no longer offers it (orders already placed stay). */
export async function removeResellerPrice(s: Pick<Services, "db">, accountId: string, input: { resellerId: string; poolId: string }, actor: Actor): Promise<void> {
  const reseller = await requireReseller(s, accountId, input.resellerId);
  await s.db.transaction().execute(async (trx) => {
    if (!(await deletePrice(trx, accountId, reseller.id, input.poolId))) throw new InvalidInputError("pool_not_found", "that pool is not on this reseller's list", { field: "pool" });
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: "reseller.price_removed", subjectType: "reseller", subjectId: reseller.id, details: { poolId: input.poolId } });
  });
}

/** A pool's list price (what discounts start from), in the pool's currency. */
export async function setPoolListPrice(s: Pick<Services, "db">, accountId: string, poolId: string, price: string | null, actor: Actor): Promise<void> {
  await s.db.transaction().execute(async (trx) => {
    const pool = await trx.selectFrom("pools").select(["id", "currency"]).where("account_id", "=", accountId).where("id", "=", poolId).executeTakeFirst();
    if (!pool) throw new InvalidInputError("pool_not_found", "no such pool in this account", { field: "pool" });
    const minor = price === null ? null : parseAmount(price, pool.currency ?? "USD");
    if (price !== null && minor === null) throw new InvalidInputError("reseller_amount", "price: not an amount in the pool's currency", { field: "price", params: { field: "price" } });
    await setListPrice(trx, accountId, poolId, minor, new Date().toISOString());
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: "pool.list_price_set", subjectType: "pool", subjectId: poolId, details: { listPriceMinor: minor } });
  });
}

/** Below this balance the reseller's endpoints get balance.low, once per dip ("off" or "" clears it); audited. */
export async function setLowBalanceAlert(s: Pick<Services, "db">, accountId: string, resellerId: string, amount: string, actor: Actor): Promise<{ lowBalanceMinor: number | null }> {
  const reseller = await s.db.selectFrom("resellers").select(["currency"]).where("account_id", "=", accountId).where("id", "=", resellerId).executeTakeFirst();
  if (!reseller) throw new InvalidInputError("reseller_not_found", "no such reseller in this account", { field: "reseller", params: { id: resellerId } });
  const off = amount.trim() === "" || amount.trim() === "off";
  const minor = off ? null : parseAmount(amount, reseller.currency);
  if (!off && minor === null) throw new InvalidInputError("reseller_amount", "amount: a non-negative amount in the reseller's currency, or off", { field: "amount", params: { field: "amount", currency: reseller.currency } });
  await s.db.updateTable("resellers").set({ low_balance_minor: minor, updated_at: new Date().toISOString() }).where("id", "=", resellerId).execute();
  await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id, action: "reseller.low_balance_set", subjectType: "reseller", subjectId: resellerId, details: { lowBalanceMinor: minor } });
  return { lowBalanceMinor: minor };
}
