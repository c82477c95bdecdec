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

/**
 * Orders, keys or money of one subject over each spec's window (until − window, until] (or since
 * until − window, live), excluding `exceptOrderId`: one range over the (account, subject, at)
 * index for all of the subject's figures, the widest window bounding it and each figure summed
 * over its own window.
 */
export async function velocityFigures(
  db: Executor,
  accountId: string,
  subject: VelocitySpec["subject"],
  subjectValue: string,
  specs: readonly VelocitySpec[],
  until: Date,
  exceptOrderId: string | null,
  opts: { bounded?: boolean } = {},
): Promise<Record<string, number>> {
  if (specs.length === 0) return {};
  const sinceOf = (spec: VelocitySpec) => new Date(until.getTime() - spec.minutes * 60_000).toISOString();
  const widest = specs.reduce((a, b) => (b.minutes > a.minutes ? b : a));
  let q = db
    .selectFrom("risk_velocity")
    .where("account_id", "=", accountId)
    .where(COLUMN[subject], "=", subjectValue)
    .where("at", ">", sinceOf(widest));
  // Live, every row already committed counts (one that took its clock a moment after ours but
  // committed first is still "before" us); a back-test looks only at what came before the order.
  if (opts.bounded !== false) q = q.where("at", "<=", until.toISOString());
  if (exceptOrderId) q = q.where("order_id", "!=", exceptOrderId);
  const row = await q
    .select(
      specs.map((spec, i) => {
        const inWindow = sql`at > ${sinceOf(spec)}`;
        const value = spec.measure === "orders" ? sql`1` : spec.measure === "keys" ? sql`keys` : sql`case when currency = ${spec.currency ?? ""} then money_minor else 0 end`;
        return sql<number>`coalesce(sum(case when ${inWindow} then ${value} else 0 end), 0)`.as(`f${i}`);
      }),
    )
    .executeTakeFirst();
  const out: Record<string, number> = {};
  specs.forEach((spec, i) => (out[spec.name] = Number((row as Record<string, unknown> | undefined)?.[`f${i}`] ?? 0)));
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
