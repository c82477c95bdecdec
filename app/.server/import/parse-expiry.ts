/**
 * An expiry cell → a normalised ISO-8601 UTC string (`toISOString()` form), or null.
 * - A date `2027-01-31` means the end of that day in UTC: `2027-01-31T23:59:59.999Z` (the key
 *   is still good on the date printed on it, wherever the buyer is in UTC's day).
 * - A datetime `2027-01-31T12:00`, `…T12:00:00`, `…T12:00:00.5`, with `Z` or `±hh:mm`/`±hhmm`;
 *   a space may replace the `T`. A datetime without an offset is taken as UTC.
 * Impossible dates (`2027-02-30`), hours past 23 and years outside 1000–9999 are rejected.
 */
export function parseExpiry(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1000) return null;
  const midnight = Date.UTC(year, month - 1, day);
  const check = new Date(midnight);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  if (m[4] === undefined) return new Date(midnight + 86_400_000 - 1).toISOString();

  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const at = new Date(midnight + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis);
  const atYear = at.getUTCFullYear();
  return atYear >= 1000 && atYear <= 9999 ? at.toISOString() : null;
}
