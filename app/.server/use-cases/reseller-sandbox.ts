import { randomBytes, randomUUID } from "node:crypto";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { claimIdempotencyKey, finishIdempotencyKey, readIdempotencyKey, releaseIdempotencyKey, takeOverIdempotencyKey } from "../db/repositories/reseller-idempotency-repo.ts";
import { findSandboxOrder, insertSandboxOrder, listSandboxOrders, sandboxUnitsSince, type SandboxOrderRow } from "../db/repositories/reseller-sandbox-orders-repo.ts";
import { findPrice, findReseller } from "../db/repositories/resellers-repo.ts";
import { requestFingerprint } from "../crypto/reseller-token.ts";
import { canonicalRequest, decideOnExisting } from "../domain/idempotency.ts";
import { ResellerApiError, type ResellerProblem } from "../domain/reseller-api-error.ts";
import { checkLimits, utcDayStart } from "../domain/reseller-limits.ts";
import { resellerUnitPrice } from "../domain/reseller-price.ts";
import { SANDBOX_BALANCE_MINOR, SANDBOX_IDEMPOTENCY_NAMESPACE, sandboxCode } from "../domain/reseller-sandbox.ts";
import type { Services } from "../ports.ts";
import { callerRef, type ResellerCaller } from "./authenticate-reseller.ts";
import type { PlacedOrder, PlaceOrderInput } from "./reseller-order-request.ts";
import type { ResellerOrderSummary, ResellerOrderView } from "./reseller-order-view.ts";

/**
 * The sandbox side of the reseller API (kr_test_ tokens, domain/reseller-sandbox.ts): orders go
 * to reseller_sandbox_orders only — no real key is claimed, nothing is debited, no ledger entry,
 * no stock sync, no webhook. Price, catalog membership, suspension and the order / daily limits
 * are checked as live; the Idempotency-Key behaves as live (replay, 422, 409).
 */

const PATH = "/api/v1/orders";

interface StoredProblem {
  problem: ResellerProblem;
  message: string;
  params?: Record<string, string | number>;
}

export function sandboxView(o: SandboxOrderRow): ResellerOrderView {
  return { ...sandboxSummary(o), keys: o.codes.map((code) => ({ code })) };
}

function sandboxSummary(o: SandboxOrderRow): ResellerOrderSummary {
  return { id: o.id, livemode: false, status: "fulfilled", pool: o.poolId, quantity: o.quantity, unit_price_minor: o.unitPriceMinor, total_minor: o.totalMinor, currency: o.currency, reference: o.reference, created_at: o.createdAt, backordered_units: 0 };
}

export async function placeSandboxOrder(s: Pick<Services, "db">, caller: ResellerCaller, idempotencyKey: string, rawBody: unknown, input: PlaceOrderInput, ip: string | null): Promise<PlacedOrder> {
  const { reseller } = caller;
  const key = SANDBOX_IDEMPOTENCY_NAMESPACE + idempotencyKey;
  const fingerprint = requestFingerprint(canonicalRequest("POST", PATH, rawBody));
  for (let attempt = 0; ; attempt++) {
    const now = new Date();
    if (await claimIdempotencyKey(s.db, { reseller_id: reseller.id, idempotency_key: key, account_id: reseller.account_id, fingerprint }, now.toISOString())) break;
    const seen = await readIdempotencyKey(s.db, reseller.id, key);
    if (!seen) continue;
    const decision = decideOnExisting({ fingerprint: seen.fingerprint, state: seen.state, createdAt: new Date(seen.created_at), lockedAt: new Date(seen.locked_at) }, fingerprint, now);
    if (decision === "mismatch") throw new ResellerApiError("idempotency_mismatch", "this Idempotency-Key was used with a different request");
    if (decision === "in_flight") throw new ResellerApiError("idempotency_in_flight", "a request with this Idempotency-Key is still being processed; retry later");
    if (decision === "replay") {
      const row = seen.order_id ? await findSandboxOrder(s.db, reseller.account_id, reseller.id, seen.order_id) : undefined;
      if (row) return { status: seen.response_status ?? 201, order: sandboxView(row), replayed: true };
      const stored = seen.response_body ? (JSON.parse(seen.response_body) as StoredProblem) : { problem: "unexpected" as const, message: "the first request failed" };
      const err = new ResellerApiError(stored.problem, stored.message, { params: stored.params });
      (err as ResellerApiError & { replayed?: boolean }).replayed = true;
      throw err;
    }
    if (await takeOverIdempotencyKey(s.db, seen, fingerprint, now.toISOString())) break;
    if (attempt > 5) throw new ResellerApiError("idempotency_in_flight", "a request with this Idempotency-Key is still being processed; retry later");
  }

  try {
    const row = await s.db.transaction().execute(async (trx) => {
      const nowIso = new Date().toISOString();
      const r = await findReseller(trx, reseller.account_id, reseller.id);
      if (!r || r.status !== "active") throw new ResellerApiError("reseller_suspended", "this reseller account is suspended");
      const price = await findPrice(trx, r.account_id, r.id, input.pool);
      if (!price || price.archived) throw new ResellerApiError("pool_not_allowed", "this pool is not in your catalog", { params: { pool: input.pool } });
      const unit = resellerUnitPrice(price, { listPriceMinor: price.listPriceMinor, currency: price.poolCurrency }, r.currency);
      if (unit === null) throw new ResellerApiError("price_unavailable", "this pool has no price for you yet", { params: { pool: input.pool } });
      const today = r.max_units_per_day === null ? 0 : await sandboxUnitsSince(trx, r.id, utcDayStart(new Date(nowIso)).toISOString());
      const limit = checkLimits({ maxUnitsPerOrder: r.max_units_per_order, maxUnitsPerDay: r.max_units_per_day }, input.quantity, today);
      if (limit) throw new ResellerApiError(limit, limit === "order_limit_exceeded" ? `at most ${r.max_units_per_order} units per order` : `at most ${r.max_units_per_day} units per day`, { params: { limit: (limit === "order_limit_exceeded" ? r.max_units_per_order : r.max_units_per_day) ?? 0 } });
      const codes = Array.from({ length: input.quantity }, () => sandboxCode(randomBytes(12)));
      const id = `test_${randomUUID()}`;
      const order = { id, account_id: r.account_id, reseller_id: r.id, pool_id: input.pool, pool_name: price.poolName, quantity: input.quantity, unit_price_minor: unit, total_minor: unit * input.quantity, currency: r.currency, reference: input.reference ?? null, codes: JSON.stringify(codes), created_at: nowIso };
      await insertSandboxOrder(trx, order);
      await recordAudit(trx, { accountId: r.account_id, actorType: "reseller", actorId: r.id, action: "reseller.sandbox_order_placed", subjectType: "sandbox_order", subjectId: id, details: { pool: input.pool, quantity: input.quantity, ...callerRef(caller) }, ip });
      await finishIdempotencyKey(trx, r.id, key, { status: 201, body: null, orderId: id });
      return order;
    });
    return { status: 201, order: sandboxView((await findSandboxOrder(s.db, row.account_id, row.reseller_id, row.id))!), replayed: false };
  } catch (e) {
    if (e instanceof ResellerApiError) {
      const stored: StoredProblem = { problem: e.problem, message: e.message, params: e.params };
      await finishIdempotencyKey(s.db, reseller.id, key, { status: e.status, body: JSON.stringify(stored), orderId: null });
    } else {
      await releaseIdempotencyKey(s.db, reseller.id, key).catch(() => {});
    }
    throw e;
  }
}

/** One sandbox order with its fake keys; another reseller's (or a live order's id) is 404. */
export async function getSandboxOrder(s: Pick<Services, "db">, caller: ResellerCaller, orderId: string): Promise<ResellerOrderView> {
  const row = await findSandboxOrder(s.db, caller.reseller.account_id, caller.reseller.id, orderId);
  if (!row) throw new ResellerApiError("order_not_found", "no such order");
  return sandboxView(row);
}

export async function listSandboxOrderPage(s: Pick<Services, "db">, caller: ResellerCaller, after: { createdAt: string; id: string } | undefined, limit: number): Promise<{ rows: SandboxOrderRow[]; data: ResellerOrderSummary[] }> {
  const rows = await listSandboxOrders(s.db, caller.reseller.account_id, caller.reseller.id, { after, limit });
  return { rows, data: rows.map(sandboxSummary) };
}

export function sandboxBalance(currency: string): { livemode: false; balance_minor: number; credit_limit_minor: number; available_minor: number; currency: string } {
  return { livemode: false, balance_minor: SANDBOX_BALANCE_MINOR, credit_limit_minor: 0, available_minor: SANDBOX_BALANCE_MINOR, currency };
}
