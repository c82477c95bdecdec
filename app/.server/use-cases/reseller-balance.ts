import { recordAudit } from "../db/repositories/audit-repo.ts";
import { appendLedgerEntry } from "../db/repositories/reseller-ledger-repo.ts";
import { lockReseller } from "../db/repositories/resellers-repo.ts";
import type { ResellerLedgerEntry } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { applyEntry, type LedgerKind } from "../domain/reseller-ledger.ts";
import { parseAmount } from "../domain/reseller-price.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/**
 * The merchant moves a reseller's balance: a top-up (money received) or an adjustment (either
 * way, with a reason). Amounts are decimal text in the reseller's currency ("500", "12.50").
 * Under the reseller's row lock, so a top-up and an order never read the same old balance.
 */
export async function changeResellerBalance(
  s: Pick<Services, "db">,
  accountId: string,
  input: { resellerId: string; kind: Extract<LedgerKind, "topup" | "adjustment">; amount: string; note?: string | null },
  actor: Actor,
): Promise<ResellerLedgerEntry> {
  return s.db.transaction().execute(async (trx) => {
    const reseller = await lockReseller(trx, accountId, input.resellerId);
    if (!reseller) throw new InvalidInputError("reseller_not_found", "no such reseller in this account", { field: "reseller", params: { id: input.resellerId } });
    const amount = parseAmount(input.amount, reseller.currency, { allowNegative: input.kind === "adjustment" });
    if (amount === null) throw new InvalidInputError("reseller_amount", "amount: not an amount in the reseller's currency", { field: "amount", params: { field: "amount" } });
    const note = input.note?.trim() || null;
    const applied = applyEntry(reseller.balance_minor, reseller.credit_limit_minor, { kind: input.kind, amountMinor: amount, reason: note });
    if (!applied.ok) throw new InvalidInputError(`reseller_${applied.refusal}`, `amount: ${applied.refusal}`, { field: applied.refusal === "reason_required" ? "note" : "amount", params: { field: "amount" } });
    const now = new Date().toISOString();
    const entry = await appendLedgerEntry(
      trx,
      { account_id: accountId, reseller_id: reseller.id, kind: input.kind, amount_minor: amount, balance_after_minor: applied.balanceAfter, currency: reseller.currency, order_id: null, reason: note, actor_type: actor.type, actor_id: actor.id ?? null },
      now,
    );
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: `reseller.balance_${input.kind}`, subjectType: "reseller", subjectId: reseller.id, details: { amountMinor: amount, balanceAfterMinor: applied.balanceAfter, entryId: entry.id } });
    return entry;
  });
}
