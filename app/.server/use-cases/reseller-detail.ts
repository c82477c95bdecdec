import { listLedgerEntries } from "../db/repositories/reseller-ledger-repo.ts";
import { listResellerOrders } from "../db/repositories/reseller-orders-repo.ts";
import { listPrices } from "../db/repositories/resellers-repo.ts";
import type { OrderStatus, Reseller } from "../db/schema.ts";
import { resellerUnitPrice } from "../domain/reseller-price.ts";
import type { Services } from "../ports.ts";
import { listTokens, type TokenSummary } from "./manage-reseller-tokens.ts";
import { requireReseller } from "./manage-resellers.ts";

/**
 * Everything the merchant's page of one reseller shows: profile and limits, price list, balance,
 * one page of the ledger and one of its orders (both newest first, keyset cursors), its tokens
 * (never a token itself: prefix, scopes, last use). Another account's reseller is not found.
 */

export const DETAIL_PAGE_SIZE = 20;

export interface PriceListRow {
  poolId: string;
  poolName: string;
  priceMinor: number | null;
  discountBps: number | null;
  /** What one unit costs the reseller now (null: a discount without a list price in its currency). */
  unitPriceMinor: number | null;
  archived: boolean;
}

export interface LedgerRow {
  id: number;
  kind: string;
  amountMinor: number;
  balanceAfterMinor: number;
  orderId: string | null;
  /** The order's reference from the reseller, when it gave one (the ledger names the order by it). */
  orderReference: string | null;
  reason: string | null;
  actorType: string;
  createdAt: string;
}

export interface ResellerOrderListRow {
  id: string;
  status: OrderStatus;
  reference: string | null;
  poolName: string | null;
  quantity: number;
  totalMinor: number;
  currency: string;
  createdAt: string;
}

export interface ResellerDetail {
  reseller: Pick<Reseller, "id" | "name" | "email" | "status" | "currency" | "max_units_per_order" | "max_units_per_day" | "rate_per_second" | "rate_burst" | "created_at"> & { balanceMinor: number; creditLimitMinor: number };
  prices: PriceListRow[];
  /** The account's pools not archived, for adding one to the list. */
  pools: { id: string; name: string }[];
  tokens: TokenSummary[];
  ledger: { entries: LedgerRow[]; nextBefore: string | null };
  orders: { rows: ResellerOrderListRow[]; nextBefore: string | null };
}

/** `ledgerBefore` is an entry id; `ordersBefore` is "createdAt|id" of the last order shown. */
export async function getResellerDetail(s: Pick<Services, "db">, accountId: string, resellerId: string, page: { ledgerBefore?: string | null; ordersBefore?: string | null } = {}): Promise<ResellerDetail> {
  const r = await requireReseller(s, accountId, resellerId);
  const before = Number(page.ledgerBefore);
  const ledgerBefore = page.ledgerBefore && Number.isSafeInteger(before) && before > 0 ? before : undefined;
  const cut = page.ordersBefore?.lastIndexOf("|") ?? -1;
  const ordersAfter = cut > 0 ? { createdAt: page.ordersBefore!.slice(0, cut), id: page.ordersBefore!.slice(cut + 1) } : undefined;
  const [prices, pools, tokens, entries, orders] = await Promise.all([
    listPrices(s.db, accountId, r.id),
    s.db.selectFrom("pools").select(["id", "name"]).where("account_id", "=", accountId).where("archived_at", "is", null).orderBy("name").orderBy("id").execute(),
    listTokens(s, accountId, r.id),
    listLedgerEntries(s.db, accountId, r.id, { before: ledgerBefore, limit: DETAIL_PAGE_SIZE + 1 }),
    listResellerOrders(s.db, accountId, r.id, { after: ordersAfter, limit: DETAIL_PAGE_SIZE + 1 }),
  ]);
  const orderIds = [...new Set(entries.map((e) => e.order_id).filter((id): id is string => id !== null))];
  const references = new Map(
    orderIds.length ? (await s.db.selectFrom("orders").select(["id", "reference"]).where("account_id", "=", accountId).where("id", "in", orderIds).execute()).map((o) => [o.id, o.reference] as const) : [],
  );
  const poolName = new Map([...pools.map((p) => [p.id, p.name] as const), ...prices.map((p) => [p.poolId, p.poolName] as const)]);
  const ledgerPage = entries.slice(0, DETAIL_PAGE_SIZE);
  const orderPage = orders.slice(0, DETAIL_PAGE_SIZE);
  const lastOrder = orderPage.at(-1);
  return {
    reseller: {
      id: r.id,
      name: r.name,
      email: r.email,
      status: r.status,
      currency: r.currency,
      max_units_per_order: r.max_units_per_order,
      max_units_per_day: r.max_units_per_day,
      rate_per_second: r.rate_per_second,
      rate_burst: r.rate_burst,
      created_at: r.created_at,
      balanceMinor: r.balance_minor,
      creditLimitMinor: r.credit_limit_minor,
    },
    prices: prices.map((p) => ({
      poolId: p.poolId,
      poolName: p.poolName,
      priceMinor: p.priceMinor,
      discountBps: p.discountBps,
      unitPriceMinor: resellerUnitPrice(p, { listPriceMinor: p.listPriceMinor, currency: p.poolCurrency }, r.currency),
      archived: p.archived,
    })),
    pools,
    tokens,
    ledger: {
      entries: ledgerPage.map((e) => ({ id: e.id, kind: e.kind, amountMinor: e.amount_minor, balanceAfterMinor: e.balance_after_minor, orderId: e.order_id, orderReference: e.order_id ? (references.get(e.order_id) ?? null) : null, reason: e.reason, actorType: e.actor_type, createdAt: e.created_at })),
      nextBefore: entries.length > DETAIL_PAGE_SIZE ? String(ledgerPage.at(-1)!.id) : null,
    },
    orders: {
      rows: orderPage.map((o) => ({ id: o.id, status: o.status, reference: o.reference, poolName: o.poolId ? (poolName.get(o.poolId) ?? null) : null, quantity: o.quantity, totalMinor: o.totalMinor, currency: o.currency ?? r.currency, createdAt: o.createdAt })),
      nextBefore: orders.length > DETAIL_PAGE_SIZE && lastOrder ? `${lastOrder.createdAt}|${lastOrder.id}` : null,
    },
  };
}
