import { recordAudit } from "../db/repositories/audit-repo.ts";
import { lockReseller, updateResellerRow } from "../db/repositories/resellers-repo.ts";
import type { Reseller } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { parseAmount } from "../domain/reseller-price.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { invalid, requireReseller, ResellerInput } from "./manage-resellers.ts";

/**
 * The merchant edits a reseller from its detail page: the profile and limits, and the credit
 * limit. The currency stays what it was created with: the ledger and the prices are kept in it.
 */

const ProfileInput = ResellerInput.pick({ name: true, email: true, maxUnitsPerOrder: true, maxUnitsPerDay: true, ratePerSecond: true, rateBurst: true });

const notFound = (id: string) => new InvalidInputError("reseller_not_found", "no such reseller in this account", { field: "reseller", params: { id } });

export async function updateResellerProfile(s: Pick<Services, "db">, accountId: string, resellerId: string, raw: unknown, actor: Actor): Promise<Reseller> {
  // The account first: another account's reseller is a 404 whatever the form says.
  const before = await requireReseller(s, accountId, resellerId);
  const r = ProfileInput.safeParse(raw);
  if (!r.success) invalid(r.error.issues[0]);
  const v = r.data;
  // A burst below the steady rate would refuse requests the rate allows.
  if (v.rateBurst !== null && v.rateBurst < (v.ratePerSecond ?? 1)) throw new InvalidInputError("reseller_burst", "rateBurst: at least the rate per second", { field: "rateBurst" });
  const next = { name: v.name, email: v.email, max_units_per_order: v.maxUnitsPerOrder, max_units_per_day: v.maxUnitsPerDay, rate_per_second: v.ratePerSecond, rate_burst: v.rateBurst };
  const changed = Object.fromEntries(Object.entries(next).filter(([k, val]) => before[k as keyof typeof next] !== val));
  return s.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    if (!(await updateResellerRow(trx, accountId, resellerId, next, now))) throw notFound(resellerId);
    // What changed, never the whole row: the audit log says who moved which limit.
    if (Object.keys(changed).length) await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: "reseller.updated", subjectType: "reseller", subjectId: resellerId, details: { changed } });
    return { ...before, ...next, updated_at: now };
  });
}

/**
 * How far below zero the balance may go, as decimal text in the reseller's currency ("" is 0).
 * Lowering it under a balance already below the new floor is allowed: it stops further orders
 * until a top-up, it never rewrites the ledger.
 */
export async function setResellerCreditLimit(s: Pick<Services, "db">, accountId: string, resellerId: string, amount: string, actor: Actor): Promise<{ creditLimitMinor: number }> {
  return s.db.transaction().execute(async (trx) => {
    const reseller = await lockReseller(trx, accountId, resellerId);
    if (!reseller) throw notFound(resellerId);
    const minor = amount.trim() === "" ? 0 : parseAmount(amount, reseller.currency);
    if (minor === null) throw new InvalidInputError("reseller_amount", "creditLimit: not an amount in the reseller's currency", { field: "creditLimit", params: { field: "creditLimit", currency: reseller.currency } });
    if (minor !== reseller.credit_limit_minor) {
      await updateResellerRow(trx, accountId, resellerId, { credit_limit_minor: minor }, new Date().toISOString());
      await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: "reseller.credit_limit_set", subjectType: "reseller", subjectId: resellerId, details: { from: reseller.credit_limit_minor, to: minor } });
    }
    return { creditLimitMinor: minor };
  });
}
