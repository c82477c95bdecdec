import { isoToGmt } from "./map-order.ts";

/**
 * Where reconciliation continues: `after` is the `modified_after` filter (UTC, WooCommerce's
 * format), `page` the page within it. Paging by page number alone skips orders: one modified
 * while we page moves to the end and shifts every later one up a page. So after each page the
 * filter moves to just before the page's newest modification (overlap of one second: a few
 * orders are seen twice, none missed — processing is idempotent) and paging restarts at 1.
 * Only a page whose orders all share the filter's next second falls back to page + 1.
 */
export interface PaidOrdersCursor {
  after: string;
  page: number;
}

const PREFIX = "wc1.";

export function encodeCursor(c: PaidOrdersCursor): string {
  return PREFIX + Buffer.from(JSON.stringify({ a: c.after, p: c.page })).toString("base64url");
}

/** A cursor we cannot read starts again from `since`. */
export function decodeCursor(cursor: string | null, since: string): PaidOrdersCursor {
  if (cursor?.startsWith(PREFIX)) {
    try {
      const { a, p } = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), "base64url").toString("utf8")) as { a?: unknown; p?: unknown };
      if (typeof a === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(a) && Number.isInteger(p) && (p as number) >= 1) return { after: a, page: p as number };
    } catch {
      // fall through
    }
  }
  return { after: isoToGmt(since), page: 1 };
}

export function nextCursor(current: PaidOrdersCursor, newestModifiedGmt: string | null): PaidOrdersCursor {
  if (!newestModifiedGmt) return { after: current.after, page: 1 };
  const t = Date.parse(`${newestModifiedGmt.slice(0, 19)}Z`);
  if (Number.isNaN(t)) return { after: current.after, page: current.page + 1 };
  const candidate = isoToGmt(new Date(t - 1000).toISOString());
  return candidate > current.after ? { after: candidate, page: 1 } : { after: current.after, page: current.page + 1 };
}
