import { describe, expect, it } from "vitest";
import { applyEntry, balanceFloor, entryProblem, ledgerBalance } from "./reseller-ledger.ts";

describe("reseller ledger", () => {
  it("requires the sign each kind has", () => {
    expect(entryProblem({ kind: "topup", amountMinor: 100 })).toBeNull();
    expect(entryProblem({ kind: "topup", amountMinor: -100 })).toBe("amount_sign");
    expect(entryProblem({ kind: "debit", amountMinor: -100 })).toBeNull();
    expect(entryProblem({ kind: "debit", amountMinor: 100 })).toBe("amount_sign");
    expect(entryProblem({ kind: "credit", amountMinor: 0 })).toBe("amount_sign");
    expect(entryProblem({ kind: "topup", amountMinor: 1.5 })).toBe("amount_not_integer");
  });
  it("requires a reason for an adjustment, either way", () => {
    expect(entryProblem({ kind: "adjustment", amountMinor: -50 })).toBe("reason_required");
    expect(entryProblem({ kind: "adjustment", amountMinor: -50, reason: "  " })).toBe("reason_required");
    expect(entryProblem({ kind: "adjustment", amountMinor: -50, reason: "goodwill" })).toBeNull();
    expect(entryProblem({ kind: "adjustment", amountMinor: 50, reason: "goodwill" })).toBeNull();
  });
  it("never lets the balance go below zero minus the credit limit", () => {
    expect(applyEntry(1000, 0, { kind: "debit", amountMinor: -1000 })).toEqual({ ok: true, balanceAfter: 0 });
    expect(applyEntry(1000, 0, { kind: "debit", amountMinor: -1001 })).toEqual({ ok: false, refusal: "insufficient_balance" });
    expect(applyEntry(1000, 500, { kind: "debit", amountMinor: -1500 })).toEqual({ ok: true, balanceAfter: -500 });
    expect(applyEntry(1000, 500, { kind: "debit", amountMinor: -1501 })).toEqual({ ok: false, refusal: "insufficient_balance" });
    expect(applyEntry(0, 0, { kind: "adjustment", amountMinor: -1, reason: "fix" })).toEqual({ ok: false, refusal: "insufficient_balance" });
  });
  it("accepts money in even when the balance is below the floor", () => {
    expect(applyEntry(-900, 500, { kind: "topup", amountMinor: 100 })).toEqual({ ok: true, balanceAfter: -800 });
  });
  it("balance is the sum of entries; a negative credit limit counts as none", () => {
    expect(ledgerBalance([{ amountMinor: 500 }, { amountMinor: -120 }, { amountMinor: 20 }])).toBe(400);
    expect(balanceFloor(-5)).toBe(0);
  });
});
