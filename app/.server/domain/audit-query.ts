import { InvalidInputError } from "./errors.ts";
import { addDays, isTimeZone, parseDay } from "./report-day.ts";

/**
 * The audit log's filters as the page, the export and the CLI take them: every value checked
 * here (a bad one names its field), days read in the account's time zone and turned into the
 * UTC instants the rows are stored with.
 */

export const AUDIT_ACTOR_TYPES = ["admin", "shopify_staff", "cli", "system", "reseller"] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

export interface AuditFilterInput {
  actorType?: string | null;
  action?: string | null;
  from?: string | null;
  to?: string | null;
  q?: string | null;
  cursor?: string | null;
  limit?: string | number | null;
}

export interface AuditFilter {
  actorType: AuditActorType | null;
  action: string | null;
  /** Local days as given (for the form), and the UTC instants they bound: [fromInstant, toInstant). */
  from: string | null;
  to: string | null;
  fromInstant: string | null;
  toInstant: string | null;
  q: string | null;
  /** Rows older than this id (newest first). */
  before: number | null;
  limit: number;
}

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_MAX_LIMIT = 10_000;

function blank(v: string | null | undefined): boolean {
  return v == null || v.trim() === "";
}

/** The UTC offset (ms) of a time zone at an instant. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(instant));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - Math.floor(instant / 1000) * 1000;
}

/** The UTC instant a local day starts at in a time zone (two passes settle a DST change). */
export function dayStartInstant(day: string, timeZone: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - offsetAt(wall, timeZone);
  t = wall - offsetAt(t, timeZone);
  return new Date(t).toISOString();
}

export function parseAuditFilter(input: AuditFilterInput, timeZone: string): AuditFilter {
  if (!isTimeZone(timeZone)) throw new InvalidInputError("audit_timezone_invalid", "timeZone: not a time zone", { field: "timeZone" });
  let actorType: AuditActorType | null = null;
  if (!blank(input.actorType)) {
    const v = input.actorType!.trim();
    if (!(AUDIT_ACTOR_TYPES as readonly string[]).includes(v)) throw new InvalidInputError("audit_actor_type_invalid", `actorType: one of ${AUDIT_ACTOR_TYPES.join(", ")}`, { field: "actorType" });
    actorType = v as AuditActorType;
  }
  let action: string | null = null;
  if (!blank(input.action)) {
    const v = input.action!.trim();
    if (!/^[a-z0-9_./]{1,80}$/.test(v)) throw new InvalidInputError("audit_action_invalid", "action: an action name such as key.revealed", { field: "action" });
    action = v;
  }
  const from = blank(input.from) ? null : parseDay(input.from!, "from");
  const to = blank(input.to) ? null : parseDay(input.to!, "to");
  if (from && to && from > to) throw new InvalidInputError("audit_range_invalid", "from: must not be after to", { field: "from" });
  let before: number | null = null;
  if (!blank(input.cursor)) {
    const v = Number(input.cursor);
    if (!Number.isSafeInteger(v) || v <= 0) throw new InvalidInputError("audit_cursor_invalid", "cursor: not a cursor this page gave", { field: "cursor" });
    before = v;
  }
  let limit = AUDIT_PAGE_SIZE;
  if (input.limit != null && String(input.limit).trim() !== "") {
    const v = Number(input.limit);
    if (!Number.isInteger(v) || v < 1 || v > AUDIT_MAX_LIMIT) throw new InvalidInputError("audit_limit_invalid", `limit: a whole number from 1 to ${AUDIT_MAX_LIMIT}`, { field: "limit" });
    limit = v;
  }
  const q = blank(input.q) ? null : input.q!.trim().slice(0, 200);
  return {
    actorType,
    action,
    from,
    to,
    fromInstant: from ? dayStartInstant(from, timeZone) : null,
    toInstant: to ? dayStartInstant(addDays(to, 1), timeZone) : null,
    q,
    before,
    limit,
  };
}
