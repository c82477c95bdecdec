/**
 * The language a buyer reads (key page, emails): the order's own language where the host gives
 * it, else the store's, else the merchant's account default. Pure; the caller passes whatever the
 * host reported and a matcher onto the supported locales.
 */
export function chooseBuyerLocale<L extends string>(
  candidates: { order?: string | null; store?: string | null; account?: string | null },
  match: (tag: string | null | undefined) => L | undefined,
  fallback: L,
): L {
  return match(candidates.order) ?? match(candidates.store) ?? match(candidates.account) ?? fallback;
}
