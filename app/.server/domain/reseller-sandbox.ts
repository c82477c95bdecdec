/**
 * The reseller sandbox (kr_test_ tokens): the same API against test stock. Pure rules only.
 * - Stock: every pool of the reseller's catalog shows SANDBOX_AVAILABLE units, and never runs out.
 * - Money: no balance check, no ledger; GET /balance shows the fixed SANDBOX_BALANCE_MINOR.
 * - Keys: obviously fake codes, TEST-XXXX-XXXX-XXXX, never a real key.
 * - Idempotency-Keys live in a namespace of their own (a space can never be in a live key).
 */
export const SANDBOX_AVAILABLE = 10_000;
export const SANDBOX_BALANCE_MINOR = 100_000_000;
export const SANDBOX_IDEMPOTENCY_NAMESPACE = "test ";

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A fake key from 12 random numbers (each taken modulo the alphabet's 32 letters). */
export function sandboxCode(random: ArrayLike<number>): string {
  const c = Array.from({ length: 12 }, (_, i) => ALPHABET[(random[i] ?? 0) % ALPHABET.length]).join("");
  return `TEST-${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8, 12)}`;
}
