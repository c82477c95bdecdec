/**
 * Linked stores: the rules, without I/O. A link code is made in one account's admin and typed
 * into another store's admin; redeeming it moves that store into the code's account, where the
 * account's pools feed it like every other store of the account.
 */

/** How long a link code can be used: long enough to switch admins, short enough to guess at. */
export const LINK_CODE_TTL_MS = 15 * 60 * 1000;

/** Crockford's base32 (no I, L, O, U): read aloud or typed from a screen without confusion. */
export const LINK_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const LINK_CODE_LENGTH = 10;

/** "ABCDE12345" → "ABCDE-12345", as shown to the merchant. */
export function formatLinkCode(chars: string): string {
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/**
 * What the merchant typed, as the code's canonical 10 characters, or null when it cannot be a
 * code. Case, spaces and dashes do not matter; the look-alikes I/L → 1 and O → 0 are read the way
 * Crockford's alphabet means them.
 */
export function normaliseLinkCode(raw: string): string | null {
  const s = raw.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
  if (s.length !== LINK_CODE_LENGTH) return null;
  for (const ch of s) if (!LINK_CODE_ALPHABET.includes(ch)) return null;
  return s;
}

/** Whether a stored code may still be redeemed at `now`, and if not, why (for the audit row only). */
export function linkCodeState(code: { used_at: string | null; expires_at: string }, now: Date): "usable" | "used" | "expired" {
  if (code.used_at) return "used";
  if (Date.parse(code.expires_at) <= now.getTime()) return "expired";
  return "usable";
}

/**
 * Why a store may not join another account, or null. The store's own account must hold no pools:
 * its keys are sealed to that account, and folding two sets of pools together is a merge the
 * merchant has to see first — never done silently by a link.
 */
export function linkRefusal(f: { sameAccount: boolean; pools: number }): { code: "link_same_account" } | { code: "account_has_pools"; pools: number } | null {
  if (f.sameAccount) return { code: "link_same_account" };
  if (f.pools > 0) return { code: "account_has_pools", pools: f.pools };
  return null;
}

/**
 * Why a store may not be split off into an account of its own, or null. The last store stays: an
 * account without a store would keep its pools with nothing to sell them. A store whose orders hold
 * keys from the account's pools stays too: those orders (refunds, resends, revokes) need their keys,
 * and the keys belong to the account.
 */
export function splitRefusal(f: { storesInAccount: number; keyedOrders: number }): { code: "split_last_store" } | { code: "split_store_has_key_orders"; orders: number } | null {
  if (f.storesInAccount <= 1) return { code: "split_last_store" };
  if (f.keyedOrders > 0) return { code: "split_store_has_key_orders", orders: f.keyedOrders };
  return null;
}

/**
 * Who may make codes, link and split stores: the one place roles will gate it. Today every signed-in
 * admin of the account (standalone or embedded) and the CLI (the machine's owner) may; roles
 * (owner/manager/…, issue 17 part 2) are to narrow this to owners here, and only here.
 */
export function mayManageStoreLinks(actor: { type: string }): boolean {
  return actor.type === "admin" || actor.type === "shopify_staff" || actor.type === "cli";
}
