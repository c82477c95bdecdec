import type { HostCard } from "../host-connector.ts";

/** What KeyrelayOrderCard returns for one transaction. */
export interface GqlTransaction {
  kind: string;
  status: string;
  paymentDetails: { __typename: string; bin?: string | null; number?: string | null; company?: string | null } | null;
}

/** Kinds that move the buyer's money (a refund or void is the same card, but never the first word). */
const PAYING_KINDS = new Set(["SALE", "AUTHORIZATION", "CAPTURE"]);

/**
 * The card of an order's payment: the first successful paying transaction with card details,
 * else the first card at all. The BIN is the card's first 6–8 digits; the last four come from
 * the masked number ("•••• •••• •••• 4242"). Either missing or malformed: no card (null), never
 * a guess.
 */
export function cardFromTransactions(transactions: GqlTransaction[]): HostCard | null {
  const cards = transactions.filter((t) => t.paymentDetails?.__typename === "CardPaymentDetails");
  const paying = cards.find((t) => PAYING_KINDS.has(t.kind) && t.status === "SUCCESS") ?? cards[0];
  const d = paying?.paymentDetails;
  if (!d) return null;
  const bin = (d.bin ?? "").replace(/\s/g, "");
  const digits = (d.number ?? "").replace(/\D/g, "");
  if (!/^\d{6,8}$/.test(bin) || digits.length < 4) return null;
  return { bin, last4: digits.slice(-4), brand: d.company?.trim() || null };
}
