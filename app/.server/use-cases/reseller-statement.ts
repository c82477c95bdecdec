import { InvalidInputError } from "../domain/errors.ts";
import { dayStartUtc, parseMonth } from "../domain/report-day.ts";
import { formatAmount } from "../domain/reseller-price.ts";
import { csvLine } from "../domain/spreadsheet-safety.ts";
import type { Services } from "../ports.ts";

/**
 * A reseller's monthly statement, so both sides reconcile: the month (in the merchant account's
 * time zone), the opening balance, top-ups, order debits, refund credits and adjustments with
 * their counts, orders and units, the closing balance, and every ledger entry. The closing
 * balance is the opening plus the month's entries, and equals the last entry's balance after it.
 */
export interface ResellerStatement {
  reseller: { id: string; name: string; currency: string };
  month: string;
  timeZone: string;
  from: string;
  to: string;
  openingMinor: number;
  closingMinor: number;
  totals: Record<"topup" | "debit" | "credit" | "adjustment", { count: number; amountMinor: number }>;
  orders: { count: number; units: number; refunded: number };
  entries: { at: string; kind: string; amountMinor: number; balanceAfterMinor: number; orderId: string | null; reference: string | null; reason: string | null }[];
}

export async function getResellerStatement(s: Pick<Services, "db">, accountId: string, resellerId: string, month: string): Promise<ResellerStatement> {
  const { first, next } = parseMonth(month, "month");
  const r = await s.db
    .selectFrom("resellers as r")
    .innerJoin("accounts as a", "a.id", "r.account_id")
    .select(["r.id", "r.name", "r.currency", "a.time_zone"])
    .where("r.account_id", "=", accountId)
    .where("r.id", "=", resellerId)
    .executeTakeFirst();
  if (!r) throw new InvalidInputError("reseller_not_found", "no such reseller in this account", { field: "reseller", params: { id: resellerId } });
  const from = dayStartUtc(first, r.time_zone).toISOString();
  const to = dayStartUtc(next, r.time_zone).toISOString();
  const before = await s.db.selectFrom("reseller_ledger").select("balance_after_minor").where("reseller_id", "=", resellerId).where("created_at", "<", from).orderBy("id", "desc").limit(1).executeTakeFirst();
  const rows = await s.db
    .selectFrom("reseller_ledger as l")
    .leftJoin("orders as o", "o.id", "l.order_id")
    .select(["l.id", "l.kind", "l.amount_minor", "l.balance_after_minor", "l.order_id", "l.reason", "l.created_at", "o.reference"])
    .where("l.reseller_id", "=", resellerId)
    .where("l.created_at", ">=", from)
    .where("l.created_at", "<", to)
    .orderBy("l.id")
    .execute();
  const openingMinor = Number(before?.balance_after_minor ?? 0);
  const totals = { topup: { count: 0, amountMinor: 0 }, debit: { count: 0, amountMinor: 0 }, credit: { count: 0, amountMinor: 0 }, adjustment: { count: 0, amountMinor: 0 } };
  for (const e of rows) {
    totals[e.kind].count += 1;
    totals[e.kind].amountMinor += Number(e.amount_minor);
  }
  const closingMinor = openingMinor + rows.reduce((n, e) => n + Number(e.amount_minor), 0);
  const ordered = await s.db
    .selectFrom("orders as o")
    .innerJoin("order_lines as l", "l.order_id", "o.id")
    .select([(eb) => eb.fn.count<number>("o.id").distinct().as("orders"), (eb) => eb.fn.sum<number>("l.quantity").as("units")])
    .where("o.account_id", "=", accountId)
    .where("o.reseller_id", "=", resellerId)
    .where("o.created_at", ">=", from)
    .where("o.created_at", "<", to)
    .executeTakeFirst();
  return {
    reseller: { id: r.id, name: r.name, currency: r.currency },
    month,
    timeZone: r.time_zone,
    from,
    to,
    openingMinor,
    closingMinor,
    totals,
    orders: { count: Number(ordered?.orders ?? 0), units: Number(ordered?.units ?? 0), refunded: totals.credit.count },
    entries: rows.map((e) => ({ at: e.created_at, kind: e.kind, amountMinor: Number(e.amount_minor), balanceAfterMinor: Number(e.balance_after_minor), orderId: e.order_id, reference: e.reference ?? null, reason: e.reason })),
  };
}

/** The statement as CSV (UTF-8 with BOM, formula-safe): a summary, then every entry. */
export function statementCsv(st: ResellerStatement): string {
  const c = st.reseller.currency;
  const amt = (m: number) => formatAmount(m, c);
  const lines = [
    ["statement", st.reseller.name, st.month, st.timeZone, c],
    ["opening_balance", "", "", "", amt(st.openingMinor)],
    ...(["topup", "debit", "credit", "adjustment"] as const).map((k) => [`${k}s`, st.totals[k].count, "", "", amt(st.totals[k].amountMinor)]),
    ["orders", st.orders.count, st.orders.units, "", ""],
    ["closing_balance", "", "", "", amt(st.closingMinor)],
    [],
    ["at", "kind", "order_id", "reference", "amount", "balance_after", "reason"],
    ...st.entries.map((e) => [e.at, e.kind, e.orderId ?? "", e.reference ?? "", amt(e.amountMinor), amt(e.balanceAfterMinor), e.reason ?? ""]),
  ];
  return "\uFEFF" + lines.map((l) => csvLine(l)).join("\r\n") + "\r\n";
}
