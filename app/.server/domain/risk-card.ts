/**
 * The card an order was paid with, as risk rules see it (issue 13): the BIN (the card's first 6–8
 * digits), its last four digits and its brand, where the host shows them (Shopify's transaction
 * payment details; WooCommerce shows none). One card is named `BIN…LAST4` (`424242…4242`): the
 * velocity rows and the card lists use that form, so one card buying across emails is one subject.
 */
export interface CardFacts {
  bin: string;
  last4: string;
  brand: string | null;
}

export const CARD_SEPARATOR = "…";

/** `424242…4242`: how a card is stored, listed and shown (masked: never more than BIN and last four). */
export function cardKey(c: Pick<CardFacts, "bin" | "last4">): string {
  return `${c.bin}${CARD_SEPARATOR}${c.last4}`;
}

export function isCardBin(text: string): boolean {
  return /^\d{6,8}$/.test(text);
}

export function isCardLast4(text: string): boolean {
  return /^\d{4}$/.test(text);
}

/**
 * A card as a merchant types it: the BIN, a mask (`…`, `...`, or one or more `*`, `x`, `•`) and
 * the last four: `424242…4242`, `424242*4242`, `424242******4242`, `42424242xxxx4242`. Spaces are
 * ignored. Returns the stored form, or null when it is not one.
 */
export function parseCardValue(raw: unknown): string | null {
  const text = typeof raw === "string" ? raw.replace(/\s/g, "") : "";
  const m = /^(\d{6,8})(?:…|\.{3}|[*xX•]+)(\d{4})$/.exec(text);
  return m ? cardKey({ bin: m[1]!, last4: m[2]! }) : null;
}

/** A card as the admin shows it: `424242…4242 (Visa)`. */
export function describeCard(c: CardFacts | null | undefined): string | null {
  if (!c) return null;
  return c.brand ? `${cardKey(c)} (${c.brand})` : cardKey(c);
}
