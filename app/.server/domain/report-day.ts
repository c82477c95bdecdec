import { InvalidInputError } from "./errors.ts";

/**
 * Calendar days of reports: a day is the account's local date (an order at 23:30 in
 * Asia/Shanghai belongs to that day, though it is 15:30 UTC), written YYYY-MM-DD so days sort and
 * compare as text. Weeks start on Monday (ISO), months on the 1st.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local date of an instant in a time zone. */
export function localDay(instant: string | Date, timeZone: string): string {
  const d = typeof instant === "string" ? new Date(instant) : instant;
  return formatterFor(timeZone).format(d);
}

export function isTimeZone(tz: string): boolean {
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD strictly (a real calendar date); `field` names the input in the error. */
export function parseDay(text: string, field: string): string {
  const m = DAY_RE.exec(text.trim());
  if (m) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (d.toISOString().slice(0, 10) === text.trim()) return text.trim();
  }
  throw new InvalidInputError("report_invalid_day", `${field} must be a date written YYYY-MM-DD, e.g. 2026-11-30`, { field, params: { field } });
}

function toUtc(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function addDays(day: string, n: number): string {
  const d = toUtc(day);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included (0 when `to` is before `from`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / 86_400_000) + 1;
}

/** Every day of the range, in order. */
export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayOf(day: string): number {
  return (toUtc(day).getUTCDay() + 6) % 7;
}

export type Bucket = "day" | "week" | "month";

/** The first day of the bucket a day falls in. */
export function bucketStart(day: string, bucket: Bucket): string {
  if (bucket === "day") return day;
  if (bucket === "month") return `${day.slice(0, 7)}-01`;
  return addDays(day, -weekdayOf(day));
}

export interface DayRange {
  from: string;
  to: string;
}

/** The range of the same length just before this one (for "compare with the previous period"). */
export function previousRange(r: DayRange): DayRange {
  const n = daysBetween(r.from, r.to);
  return { from: addDays(r.from, -n), to: addDays(r.from, -1) };
}

export type RangePreset = "today" | "7d" | "30d" | "90d" | "month";
export const RANGE_PRESETS: RangePreset[] = ["today", "7d", "30d", "90d", "month"];

/** A preset range ending today (in the account's time zone). */
export function presetRange(preset: RangePreset, today: string): DayRange {
  switch (preset) {
    case "today":
      return { from: today, to: today };
    case "month":
      return { from: `${today.slice(0, 7)}-01`, to: today };
    default:
      return { from: addDays(today, -(Number(preset.slice(0, -1)) - 1)), to: today };
  }
}

/** At most two years at once: a range is read from rollups, but its series is drawn day by day. */
export const MAX_RANGE_DAYS = 731;

export function checkRange(from: string, to: string): DayRange {
  const f = parseDay(from, "from");
  const t = parseDay(to, "to");
  if (t < f) throw new InvalidInputError("report_range_reversed", "to must not be before from", { field: "to" });
  if (daysBetween(f, t) > MAX_RANGE_DAYS) throw new InvalidInputError("report_range_too_long", `a report covers at most ${MAX_RANGE_DAYS} days`, { field: "to", params: { limit: MAX_RANGE_DAYS } });
  return { from: f, to: t };
}

/** The instant a local day starts in a time zone (its midnight, as UTC). */
export function dayStartUtc(day: string, timeZone: string): Date {
  const naive = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset at a moment: local wall time read back as if it were UTC, minus the moment.
  const offsetAt = (t: number) => {
    const p = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - t;
  };
  let t = naive - offsetAt(naive);
  // Once more, in case the offset differs on either side of a DST change.
  t = naive - offsetAt(t);
  return new Date(t);
}

/** "2026-11" → its first day and the first day of the next month. */
export function parseMonth(text: string, field: string): { first: string; next: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new InvalidInputError("report_invalid_month", `${field} must be a month written YYYY-MM, e.g. 2026-11`, { field, params: { field } });
  const first = `${m[1]}-${m[2]}-01`;
  const d = new Date(`${first}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return { first, next: d.toISOString().slice(0, 10) };
}

/**
 * A range cut into the whole calendar months it covers (as 'YYYY-MM', read from the monthly
 * rollup) and the days left at either end (read from the daily one). No whole month → days only.
 */
export function splitIntoMonths(r: DayRange): { months: { from: string; to: string } | null; days: DayRange[] } {
  const firstWhole = r.from.endsWith("-01") ? r.from : addDays(`${r.from.slice(0, 7)}-01`, 32).slice(0, 7) + "-01";
  const afterTo = addDays(r.to, 1);
  const endWhole = afterTo.endsWith("-01") ? afterTo : `${afterTo.slice(0, 7)}-01`;
  if (firstWhole >= endWhole) return { months: null, days: [r] };
  const days: DayRange[] = [];
  if (r.from < firstWhole) days.push({ from: r.from, to: addDays(firstWhole, -1) });
  if (endWhole <= r.to) days.push({ from: endWhole, to: r.to });
  return { months: { from: firstWhole.slice(0, 7), to: addDays(endWhole, -1).slice(0, 7) }, days };
}
