/**
 * A reseller's prepaid balance is a ledger: append-only entries whose sum is the balance.
 *   topup      — the merchant received money (positive)
 *   debit      — an order was charged (negative)
 *   credit     — a refund gave money back (positive)
 *   adjustment — a correction either way, always with a reason
 * The balance may never go below zero minus the credit limit the merchant grants.
 */
export const LEDGER_KINDS = ["topup", "debit", "credit", "adjustment"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerEntryInput {
  kind: LedgerKind;
  amountMinor: number;
  reason?: string | null;
}

export type LedgerRefusal = "amount_not_integer" | "amount_sign" | "reason_required" | "insufficient_balance";

/** Checks an entry's own shape: integer, the sign its kind requires, a reason for an adjustment. */
export function entryProblem(e: LedgerEntryInput): Exclude<LedgerRefusal, "insufficient_balance"> | null {
  if (!Number.isSafeInteger(e.amountMinor)) return "amount_not_integer";
  if (e.kind === "debit" ? e.amountMinor >= 0 : e.kind === "adjustment" ? e.amountMinor === 0 : e.amountMinor <= 0) return "amount_sign";
  if (e.kind === "adjustment" && !e.reason?.trim()) return "reason_required";
  return null;
}

/** The lowest the balance may go. */
export function balanceFloor(creditLimitMinor: number): number {
  return creditLimitMinor > 0 ? -creditLimitMinor : 0;
}

/**
 * Whether the entry may be appended to a balance: a debit or a negative adjustment must leave the
 * balance at or above the floor; money coming in is always accepted (it only raises the balance).
 */
export function applyEntry(balanceMinor: number, creditLimitMinor: number, e: LedgerEntryInput): { ok: true; balanceAfter: number } | { ok: false; refusal: LedgerRefusal } {
  const problem = entryProblem(e);
  if (problem) return { ok: false, refusal: problem };
  const after = balanceMinor + e.amountMinor;
  if (e.amountMinor < 0 && after < balanceFloor(creditLimitMinor)) return { ok: false, refusal: "insufficient_balance" };
  return { ok: true, balanceAfter: after };
}

/** The balance is the sum of the entries: what a reconciliation recomputes. */
export function ledgerBalance(entries: { amountMinor: number }[]): number {
  return entries.reduce((n, e) => n + e.amountMinor, 0);
}
