/**
 * How a code is compared: trimmed; upper-cased when the pool is case-insensitive. The fingerprint
 * is taken of this form, so " abcd-1 " and "ABCD-1" are the same key in a case-insensitive pool.
 * Unicode is NFC-normalised so the same characters typed two ways compare equal.
 */
export function normaliseCode(raw: string, caseInsensitive: boolean): string {
  const trimmed = raw.normalize("NFC").trim();
  return caseInsensitive ? trimmed.toUpperCase() : trimmed;
}

/** What an admin list shows instead of the code: the ends only, never enough to use it. */
export function maskCode(code: string): string {
  const chars = [...code];
  if (chars.length <= 4) return "•".repeat(chars.length);
  if (chars.length <= 10) return `${chars.slice(0, 2).join("")}…${chars.slice(-2).join("")}`;
  return `${chars.slice(0, 4).join("")}…${chars.slice(-4).join("")}`;
}

/** A pool's optional format check; a key that does not match is reported as an invalid line. */
export function matchesFormat(code: string, pattern: RegExp | null): boolean {
  return pattern === null || pattern.test(code);
}
