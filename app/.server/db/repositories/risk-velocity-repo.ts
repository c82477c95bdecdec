import { sql } from "kysely";
import type { VelocitySpec } from "../../domain/risk-attributes.ts";
import type { Executor } from "./job-rows.ts";

export interface VelocityRow {
  orderId: string;
  accountId: string;
  storeId: string | null;
  email: string | null;
  ip: string | null;
  customerId: string | null;
  ipCountry: string | null;
  billingCountry: string | null;
  keys: number;
  moneyMinor: number | null;
  currency: string | null;
  /** `BIN…LAST4`, where the host showed the card. */
  card?: string | null;
  cardBrand?: string | null;
  at: string;
}

/** One row per decided order; a re-run of the order keeps the first. */
export async function recordVelocity(db: Executor, r: VelocityRow): Promise<void> {
  await db
    .insertInto("risk_velocity")
    .values({
      order_id: r.orderId,
      account_id: r.accountId,
      store_id: r.storeId,
      email: r.email,
      ip: r.ip,
      customer_id: r.customerId,
      ip_country: r.ipCountry,
      billing_country: r.billingCountry,
      keys: r.keys,
      money_minor: r.moneyMinor,
      currency: r.currency,
      card: r.card ?? null,
      card_brand: r.cardBrand ?? null,
      at: r.at,
    })
    .onConflict((oc) => oc.column("order_id").doNothing())
    .execute();
}

const COLUMN = { email: "email", ip: "ip", customer: "customer_id", store: "store_id", card: "card" } as const;

/** One subject's figures to count: its value and the specs that read it. */
export interface VelocitySubjectQuery {
  subject: VelocitySpec["subject"];
  value: string;
  specs: readonly VelocitySpec[];
}

/**
 * Orders, keys or money of each subject over each spec's window (until − window, until] (or since
 * until − window, live), excluding `exceptOrderId`, in one statement: per subject one range over
 * the (account, subject, at) index for all of its figures (the widest window bounding it, each
 * figure summed over its own window), the subjects' rows joined by UNION ALL. Returns the
 * figures by subject, then by spec name.
 */
export async function velocityFigures(
  db: Executor,
  accountId: string,
  subjects: readonly VelocitySubjectQuery[],
  until: Date,
  exceptOrderId: string | null,
  opts: { bounded?: boolean } = {},
): Promise<Map<VelocitySpec["subject"], Record<string, number>>> {
  const out = new Map<VelocitySpec["subject"], Record<string, number>>();
  const asked = subjects.filter((q) => q.specs.length > 0);
  if (asked.length === 0) return out;
  const sinceOf = (spec: VelocitySpec) => new Date(until.getTime() - spec.minutes * 60_000).toISOString();
  // Every subject's row has as many figure columns as the subject with the most specs (UNION ALL needs one shape).
  const width = Math.max(...asked.map((q) => q.specs.length));
  const parts = asked.map((q, n) => {
    const widest = q.specs.reduce((a, b) => (b.minutes > a.minutes ? b : a));
    let part = db
      .selectFrom("risk_velocity")
      .where("account_id", "=", accountId)
      .where(COLUMN[q.subject], "=", q.value)
      .where("at", ">", sinceOf(widest));
    // Live, every row already committed counts (one that took its clock a moment after ours but
    // committed first is still "before" us); a back-test looks only at what came before the order.
    if (opts.bounded !== false) part = part.where("at", "<=", until.toISOString());
    if (exceptOrderId) part = part.where("order_id", "!=", exceptOrderId);
    const figures = Array.from({ length: width }, (_, i) => {
      const spec = q.specs[i];
      if (!spec) return sql<number>`0`.as(`f${i}`);
      const inWindow = sql`at > ${sinceOf(spec)}`;
      const value = spec.measure === "orders" ? sql`1` : spec.measure === "keys" ? sql`keys` : sql`case when currency = ${spec.currency ?? ""} then money_minor else 0 end`;
      return sql<number>`coalesce(sum(case when ${inWindow} then ${value} else 0 end), 0)`.as(`f${i}`);
    });
    return part.select([sql<number>`${sql.lit(n)}`.as("n"), ...figures]);
  });
  let query = parts[0];
  for (const part of parts.slice(1)) query = query.unionAll(part);
  const rows = (await query.execute()) as Record<string, unknown>[];
  for (const row of rows) {
    const q = asked[Number(row.n)];
    const figures: Record<string, number> = {};
    q.specs.forEach((spec, i) => (figures[spec.name] = Number(row[`f${i}`] ?? 0)));
    out.set(q.subject, figures);
  }
  return out;
}

export async function velocityRowOf(db: Executor, orderId: string): Promise<VelocityRow | undefined> {
  const r = await db.selectFrom("risk_velocity").selectAll().where("order_id", "=", orderId).executeTakeFirst();
  if (!r) return undefined;
  return {
    orderId: r.order_id,
    accountId: r.account_id,
    storeId: r.store_id,
    email: r.email,
    ip: r.ip,
    customerId: r.customer_id,
    ipCountry: r.ip_country,
    billingCountry: r.billing_country,
    keys: r.keys,
    moneyMinor: r.money_minor === null ? null : Number(r.money_minor),
    currency: r.currency,
    card: r.card,
    cardBrand: r.card_brand,
    at: r.at,
  };
}

/** Whether this email or customer ordered before `before` in the account (first_order is its negation). */
export async function hasEarlierOrder(db: Executor, accountId: string, who: { email: string | null; customerId: string | null }, before: string, exceptOrderId: string): Promise<boolean> {
  if (!who.email && !who.customerId) return false;
  const row = await db
    .selectFrom("risk_velocity")
    .select("order_id")
    .where("account_id", "=", accountId)
    .where("order_id", "!=", exceptOrderId)
    .where("at", "<", before)
    .where((eb) => eb.or([...(who.email ? [eb("email", "=", who.email)] : []), ...(who.customerId ? [eb("customer_id", "=", who.customerId)] : [])]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
