import type { AllocationStatus, OrderStatus, StorePlatform } from "../db/schema.ts";
import type { Services } from "../ports.ts";
import { findKeyByCode } from "./find-key.ts";

export interface OrderRow {
  id: string;
  name: string | null;
  externalId: string;
  email: string | null;
  customerName: string | null;
  storeName: string | null;
  platform: StorePlatform | null;
  status: OrderStatus;
  financialStatus: string | null;
  totalMinor: number | null;
  currency: string | null;
  placedAt: string | null;
  createdAt: string;
  /** Units of this order by allocation status (allocated, backordered, …). */
  units: Partial<Record<AllocationStatus, number>>;
  /** The reseller that bought it over the API (issue 14); null for a store's (retail) order. */
  reseller: { id: string; name: string } | null;
  /** The reseller's own reference for the order, when it gave one. */
  reference: string | null;
}

/** Which orders: every one, a reseller's (bought over the API), or a store's (retail). */
export type OrderChannel = "all" | "reseller" | "retail";

export interface OrderSearch {
  /** An order name or number (#1001, 1001), a buyer's email, or an exact key code. Empty: newest orders. */
  query?: string;
  /**
   * Whether an exact key code may match (the searcher holds keys.find). Off, a code is searched as
   * an order name only: a role that may not look keys up cannot learn through the order search
   * whether a guessed code exists, or which order holds it.
   */
  byKey?: boolean;
  /** Keyset cursor from a previous page (`nextBefore`). */
  before?: string | null;
  limit?: number;
  channel?: OrderChannel;
}

export interface OrderSearchResult {
  orders: OrderRow[];
  /** What the query matched: an order name, an email, a key; null when listing. */
  matchedBy: "name" | "email" | "key" | null;
  nextBefore: string | null;
}

function orderQuery(s: Pick<Services, "db">, accountId: string, channel: OrderChannel = "all") {
  let q = s.db
    .selectFrom("orders as o")
    .leftJoin("stores as st", (j) => j.onRef("st.id", "=", "o.store_id").onRef("st.account_id", "=", "o.account_id"))
    .leftJoin("resellers as rs", (j) => j.onRef("rs.id", "=", "o.reseller_id").onRef("rs.account_id", "=", "o.account_id"))
    .select([
      "o.id",
      "o.name",
      "o.external_id",
      "o.email",
      "o.customer_name",
      "o.status",
      "o.financial_status",
      "o.total_minor",
      "o.currency",
      "o.placed_at",
      "o.created_at",
      "st.name as store_name",
      "st.platform as platform",
      "o.reference",
      "rs.id as reseller_id",
      "rs.name as reseller_name",
    ])
    .where("o.account_id", "=", accountId);
  if (channel === "reseller") q = q.where("o.reseller_id", "is not", null);
  if (channel === "retail") q = q.where("o.reseller_id", "is", null);
  return q;
}

function parseCursor(before: string | null | undefined): { createdAt: string; id: string } | null {
  if (!before) return null;
  const i = before.lastIndexOf("|");
  if (i <= 0) return null;
  return { createdAt: before.slice(0, i), id: before.slice(i + 1) };
}

/**
 * Finds an account's orders, newest first: by order name/number, by buyer email, or by an exact key
 * code (through its fingerprint: nothing is decrypted, and the code never leaves this call). An
 * empty query pages through the newest orders with a keyset cursor; no query counts a table.
 */
export async function searchOrders(s: Pick<Services, "db" | "fingerprinter">, accountId: string, search: OrderSearch = {}): Promise<OrderSearchResult> {
  const limit = Math.min(Math.max(search.limit ?? 50, 1), 100);
  const query = (search.query ?? "").trim().slice(0, 500);
  let rows: Awaited<ReturnType<ReturnType<typeof orderQuery>["execute"]>>;
  let matchedBy: OrderSearchResult["matchedBy"] = null;
  let nextBefore: string | null = null;

  if (!query) {
    let q = orderQuery(s, accountId, search.channel);
    const cursor = parseCursor(search.before);
    if (cursor) q = q.where((eb) => eb.or([eb("o.created_at", "<", cursor.createdAt), eb.and([eb("o.created_at", "=", cursor.createdAt), eb("o.id", "<", cursor.id)])]));
    const page = await q.orderBy("o.created_at", "desc").orderBy("o.id", "desc").limit(limit + 1).execute();
    rows = page.slice(0, limit);
    if (page.length > limit) nextBefore = `${rows[rows.length - 1].created_at}|${rows[rows.length - 1].id}`;
  } else if (query.includes("@")) {
    matchedBy = "email";
    const forms = [...new Set([query, query.toLowerCase()])];
    rows = await orderQuery(s, accountId, search.channel).where("o.email", "in", forms).orderBy("o.created_at", "desc").limit(limit).execute();
  } else {
    const bare = query.replace(/^#/, "");
    const names = [...new Set([query, bare, `#${bare}`])];
    rows = await orderQuery(s, accountId, search.channel).where("o.name", "in", names).orderBy("o.created_at", "desc").limit(limit).execute();
    if (rows.length) matchedBy = "name";
    else if (search.byKey) {
      const key = await findKeyByCode(s, accountId, query);
      if (key) {
        matchedBy = "key";
        const orderIds = s.db
          .selectFrom("allocations as a")
          .innerJoin("order_lines as l", "l.id", "a.order_line_id")
          .select("l.order_id")
          .where("a.account_id", "=", accountId)
          .where("a.key_id", "=", key.keyId);
        rows = await orderQuery(s, accountId, search.channel).where("o.id", "in", orderIds).orderBy("o.created_at", "desc").limit(limit).execute();
      }
    }
  }

  const units = new Map<string, Partial<Record<AllocationStatus, number>>>();
  if (rows.length) {
    const counts = await s.db
      .selectFrom("allocations as a")
      .innerJoin("order_lines as l", "l.id", "a.order_line_id")
      .select((eb) => ["l.order_id", "a.status", eb.fn.countAll<number>().as("n")])
      .where("a.account_id", "=", accountId)
      .where(
        "l.order_id",
        "in",
        rows.map((r) => r.id),
      )
      .groupBy(["l.order_id", "a.status"])
      .execute();
    for (const c of counts) units.set(c.order_id, { ...units.get(c.order_id), [c.status]: Number(c.n) });
  }

  return {
    matchedBy,
    nextBefore,
    orders: rows.map((r) => ({
      id: r.id,
      name: r.name,
      externalId: r.external_id,
      email: r.email,
      customerName: r.customer_name,
      storeName: r.store_name ?? null,
      platform: r.platform ?? null,
      status: r.status,
      financialStatus: r.financial_status,
      totalMinor: r.total_minor,
      currency: r.currency,
      placedAt: r.placed_at,
      createdAt: r.created_at,
      units: units.get(r.id) ?? {},
      reference: r.reference,
      reseller: r.reseller_id && r.reseller_name ? { id: r.reseller_id, name: r.reseller_name } : null,
    })),
  };
}
