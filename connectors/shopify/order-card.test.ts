import { describe, expect, it } from "vitest";
import { cardFromTransactions, type GqlTransaction } from "./order-card.ts";

const card = (bin: string | null, number: string | null, company: string | null = "Visa", kind = "SALE", status = "SUCCESS"): GqlTransaction => ({ kind, status, paymentDetails: { __typename: "CardPaymentDetails", bin, number, company } });

describe("the card of an order's transactions", () => {
  it("takes the BIN and the last four digits of the masked number", () => {
    expect(cardFromTransactions([card("424242", "•••• •••• •••• 4242")])).toEqual({ bin: "424242", last4: "4242", brand: "Visa" });
    expect(cardFromTransactions([card("42424242", "**** 1881", null)])).toEqual({ bin: "42424242", last4: "1881", brand: null });
  });

  it("prefers the successful payment over a failed attempt with another card", () => {
    expect(cardFromTransactions([card("411111", "•••• 1111", "Visa", "SALE", "FAILURE"), card("555555", "•••• 4444", "Mastercard")])).toMatchObject({ bin: "555555", last4: "4444" });
  });

  it("is null for other payment methods and for details it cannot trust", () => {
    expect(cardFromTransactions([])).toBeNull();
    expect(cardFromTransactions([{ kind: "SALE", status: "SUCCESS", paymentDetails: { __typename: "PaypalWalletPaymentDetails" } }])).toBeNull();
    expect(cardFromTransactions([{ kind: "SALE", status: "SUCCESS", paymentDetails: null }])).toBeNull();
    expect(cardFromTransactions([card("4242", "•••• 4242")])).toBeNull();
    expect(cardFromTransactions([card("424242", "•••• 42")])).toBeNull();
    expect(cardFromTransactions([card(null, "•••• 4242")])).toBeNull();
  });
});
