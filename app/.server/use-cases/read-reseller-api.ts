import { recordAudit } from "../db/repositories/audit-repo.ts";
import { countAvailable } from "../db/repositories/pools-repo.ts";
import { poolHasBackorders } from "../db/repositories/allocations-repo.ts";
import { listLedgerEntries } from "../db/repositories/reseller-ledger-repo.ts";
import { findResellerOrder, listOrderUnits, listResellerOrders } from "../db/repositories/reseller-orders-repo.ts";
import { findReseller, listPrices, stockChangedAt, unitsOrderedSince } from "../db/repositories/resellers-repo.ts";
import { ResellerApiError } from "../domain/reseller-api-error.ts";
import { unitsAllowedNow, utcDayStart } from "../domain/reseller-limits.ts";
import { resellerUnitPrice } from "../domain/reseller-price.ts";
import type { Services } from "../ports.ts";
import { callerRef, type ResellerCaller } from "./authenticate-reseller.ts";
import { getSandboxOrder, listSandboxOrderPage, sandboxBalance } from "./reseller-sandbox.ts";
import { SANDBOX_AVAILABLE } from "../domain/reseller-sandbox.ts";
import { sandboxUnitsSince } from "../db/repositories/reseller-sandbox-orders-repo.ts";
import { orderSummary, orderView, type ResellerOrderSummary, type ResellerOrderView } from "./reseller-order-view.ts";

/** The reseller API's reads: each scoped to the caller's reseller (and so its account). */

export interface CatalogItem {
  id: string;
  name: string;
  price_minor: number | null;
  currency: string;
  available: number;
  limits: { max_units_per_order: number | null; max_units_per_day: number | null; units_allowed_now: number | null };
  updated_at: string;
}

/**
 * The pools the reseller may buy with its price and the units it can buy now (0 while older
 * backorders wait: they are served first). `updatedSince` keeps only pools whose price, pool or
 * stock changed after it (the change feed).
 */
export async function getCatalog(s: Pick<Services, "db">, caller: ResellerCaller, updatedSince?: Date): Promise<{ data: CatalogItem[] }> {
  const r = caller.reseller;
  const sandbox = caller.mode === "test";
  const today = await (sandbox ? sandboxUnitsSince : unitsOrderedSince)(s.db, r.id, utcDayStart(new Date()).toISOString());
  const limits = { maxUnitsPerOrder: r.max_units_per_order, maxUnitsPerDay: r.max_units_per_day };
  const out: CatalogItem[] = [];
  for (const p of await listPrices(s.db, r.account_id, r.id)) {
    if (p.archived) continue;
    const stockAt = await stockChangedAt(s.db, p.poolId);
    const updatedAt = [p.priceUpdatedAt, p.poolUpdatedAt, stockAt].filter((x): x is string => x !== null).sort().at(-1)!;
    if (updatedSince && new Date(updatedAt).getTime() <= updatedSince.getTime()) continue;
    // The sandbox's stock is fixed (domain/reseller-sandbox.ts); the live stock is never shown to it.
    const available = sandbox ? SANDBOX_AVAILABLE : (await poolHasBackorders(s.db, p.poolId)) ? 0 : await countAvailable(s.db, p.poolId);
    out.push({
      id: p.poolId,
      name: p.poolName,
      price_minor: resellerUnitPrice(p, { listPriceMinor: p.listPriceMinor, currency: p.poolCurrency }, r.currency),
      currency: r.currency,
      available,
      limits: { max_units_per_order: r.max_units_per_order, max_units_per_day: r.max_units_per_day, units_allowed_now: unitsAllowedNow(limits, today) },
      updated_at: updatedAt,
    });
  }
  return { data: out };
}

/** One order with its keys; audited, as every showing of keys is. Another reseller's is 404. */
export async function getResellerOrder(s: Pick<Services, "db" | "cipher">, caller: ResellerCaller, orderId: string, ip: string | null): Promise<ResellerOrderView> {
  const r = caller.reseller;
  if (caller.mode === "test") return getSandboxOrder(s, caller, orderId);
  const row = await findResellerOrder(s.db, r.account_id, r.id, orderId);
  if (!row) throw new ResellerApiError("order_not_found", "no such order");
  const view = await orderView(s.db, s.cipher, r.account_id, row);
  await recordAudit(s.db, { accountId: r.account_id, actorType: "reseller", actorId: r.id, action: "reseller.order_keys_read", subjectType: "order", subjectId: orderId, details: { keys: view.keys.length, ...callerRef(caller) }, ip });
  return view;
}

const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
function decode<T>(cursor: string, check: (v: unknown) => v is T): T {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (check(v)) return v;
  } catch {
    // falls through
  }
  throw new ResellerApiError("invalid_cursor", "cursor: not a cursor this API gave", { field: "cursor" });
}

export async function listOrders(s: Pick<Services, "db">, caller: ResellerCaller, opts: { cursor?: string; limit: number }): Promise<{ data: ResellerOrderSummary[]; next_cursor: string | null }> {
  const r = caller.reseller;
  const after = opts.cursor ? decode(opts.cursor, (v): v is { t: string; i: string } => typeof (v as { t?: unknown }).t === "string" && typeof (v as { i?: unknown }).i === "string") : undefined;
  if (caller.mode === "test") {
    const { rows, data } = await listSandboxOrderPage(s, caller, after && { createdAt: after.t, id: after.i }, opts.limit + 1);
    const last = rows.at(opts.limit - 1);
    return { data: data.slice(0, opts.limit), next_cursor: rows.length > opts.limit && last ? encode({ t: last.createdAt, i: last.id }) : null };
  }
  const rows = await listResellerOrders(s.db, r.account_id, r.id, { after: after && { createdAt: after.t, id: after.i }, limit: opts.limit + 1 });
  const page = rows.slice(0, opts.limit);
  const data: ResellerOrderSummary[] = [];
  for (const o of page) {
    const units = await listOrderUnits(s.db, r.account_id, o.id);
    data.push(orderSummary(o, units.filter((u) => u.status === "backordered").length));
  }
  const last = page.at(-1);
  return { data, next_cursor: rows.length > opts.limit && last ? encode({ t: last.createdAt, i: last.id }) : null };
}

export async function getBalance(s: Pick<Services, "db">, caller: ResellerCaller): Promise<{ livemode: boolean; balance_minor: number; credit_limit_minor: number; available_minor: number; currency: string }> {
  if (caller.mode === "test") return sandboxBalance(caller.reseller.currency);
  const r = (await findReseller(s.db, caller.reseller.account_id, caller.reseller.id))!;
  return { livemode: true, balance_minor: r.balance_minor, credit_limit_minor: r.credit_limit_minor, available_minor: r.balance_minor + r.credit_limit_minor, currency: r.currency };
}

export interface LedgerEntryView {
  id: number;
  kind: string;
  amount_minor: number;
  balance_after_minor: number;
  currency: string;
  order_id: string | null;
  reason: string | null;
  created_at: string;
}

export async function listBalanceEntries(s: Pick<Services, "db">, caller: ResellerCaller, opts: { cursor?: string; limit: number }): Promise<{ data: LedgerEntryView[]; next_cursor: string | null }> {
  const r = caller.reseller;
  // The sandbox has no ledger: its balance is fixed and nothing is ever debited.
  if (caller.mode === "test") return { data: [], next_cursor: null };
  const before = opts.cursor ? decode(opts.cursor, (v): v is { b: number } => Number.isSafeInteger((v as { b?: unknown }).b)).b : undefined;
  const rows = await listLedgerEntries(s.db, r.account_id, r.id, { before, limit: opts.limit + 1 });
  const page = rows.slice(0, opts.limit);
  return {
    data: page.map((e) => ({ id: e.id, kind: e.kind, amount_minor: e.amount_minor, balance_after_minor: e.balance_after_minor, currency: e.currency, order_id: e.order_id, reason: e.reason, created_at: e.created_at })),
    next_cursor: rows.length > opts.limit ? encode({ b: page.at(-1)!.id }) : null,
  };
}
