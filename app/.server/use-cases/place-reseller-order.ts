import { claimAvailableKeys, insertUnits, poolHasBackorders, transitionKeys } from "../db/repositories/allocations-repo.ts";
import { emitResellerEvent } from "./emit-reseller-event.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { claimIdempotencyKey, finishIdempotencyKey, readIdempotencyKey, releaseIdempotencyKey, takeOverIdempotencyKey } from "../db/repositories/reseller-idempotency-repo.ts";
import { debitIfCovered, insertLedgerRow } from "../db/repositories/reseller-ledger-repo.ts";
import { findResellerOrder, insertResellerOrder } from "../db/repositories/reseller-orders-repo.ts";
import { findPrice, lockReseller, unitsOrderedSince } from "../db/repositories/resellers-repo.ts";
import { setOrderStatus } from "../db/repositories/orders-repo.ts";
import { requestFingerprint } from "../crypto/reseller-token.ts";
import { canonicalRequest, decideOnExisting } from "../domain/idempotency.ts";
import { ResellerApiError, type ResellerProblem } from "../domain/reseller-api-error.ts";
import { applyEntry } from "../domain/reseller-ledger.ts";
import { checkLimits, utcDayStart } from "../domain/reseller-limits.ts";
import { resellerUnitPrice } from "../domain/reseller-price.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import { afterHostOrdersApplied } from "./apply-host-order.ts";
import { resellerRiskGate } from "./risk-gate.ts";
import { callerRef, type ResellerCaller } from "./authenticate-reseller.ts";
import { orderView } from "./reseller-order-view.ts";
import type { PlacedOrder, PlaceOrderInput } from "./reseller-order-request.ts";
import { placeSandboxOrder } from "./reseller-sandbox.ts";

export type { PlacedOrder, PlaceOrderInput } from "./reseller-order-request.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";

type Deps = Pick<Services, "db" | "jobs" | "database" | "config" | "cipher" | "mailer" | "log">;

const PATH = "/api/v1/orders";

/** A refusal decided by the order itself (stock, balance, limits): the key keeps it as its answer. */
interface StoredProblem {
  problem: ResellerProblem;
  message: string;
  params?: Record<string, string | number>;
}

/**
 * POST /api/v1/orders. The Idempotency-Key is taken first (its own statement): a second request
 * with it waits for nothing — it is refused while the first runs (409), replayed once it is done
 * (same status, the order read again: keys are never stored in the answer), refused with another
 * body (422). Then ONE transaction: its price and limits → claim keys through the same
 * conditional statement host orders use (so stock sync counts them and no key is sold twice) →
 * the order, its units (keys or backorders, first in first out), the outbox rows, the audit row,
 * the key's answer → last, the debit as one conditional UPDATE against the balance floor, and its
 * ledger entry. All-or-nothing by default: short of keys or balance, everything rolls back.
 */
export async function placeResellerOrder(s: Deps, caller: ResellerCaller, idempotencyKey: string, rawBody: unknown, input: PlaceOrderInput, ip: string | null): Promise<PlacedOrder> {
  const { reseller } = caller;
  // A sandbox token never reaches real keys, the balance or the ledger: its own side entirely.
  if (caller.mode === "test") return placeSandboxOrder(s, caller, idempotencyKey, rawBody, input, ip);
  const fingerprint = requestFingerprint(canonicalRequest("POST", PATH, rawBody));

  // Take the key, or answer from it.
  for (let attempt = 0; ; attempt++) {
    const now = new Date();
    if (await claimIdempotencyKey(s.db, { reseller_id: reseller.id, idempotency_key: idempotencyKey, account_id: reseller.account_id, fingerprint }, now.toISOString())) break;
    const seen = await readIdempotencyKey(s.db, reseller.id, idempotencyKey);
    if (!seen) continue; // released meanwhile: try to take it again
    const decision = decideOnExisting({ fingerprint: seen.fingerprint, state: seen.state, createdAt: new Date(seen.created_at), lockedAt: new Date(seen.locked_at) }, fingerprint, now);
    if (decision === "mismatch") throw new ResellerApiError("idempotency_mismatch", "this Idempotency-Key was used with a different request");
    if (decision === "in_flight") throw new ResellerApiError("idempotency_in_flight", "a request with this Idempotency-Key is still being processed; retry later");
    if (decision === "replay") return replay(s, caller, seen.response_status ?? 500, seen.response_body, seen.order_id);
    if (await takeOverIdempotencyKey(s.db, seen, fingerprint, now.toISOString())) break;
    if (attempt > 5) throw new ResellerApiError("idempotency_in_flight", "a request with this Idempotency-Key is still being processed; retry later");
  }

  const staged: StagedJob[] = [];
  let orderId: string;
  let held = false;
  try {
    orderId = await s.db.transaction().execute(async (trx) => {
      const nowIso = new Date().toISOString();
      // The daily limit needs today's count to stay true until commit: such a reseller's orders
      // take its row lock first and run one after another. Without one, the row is locked only by
      // the debit at the end (debitIfCovered), so one reseller's orders overlap until then.
      const r = reseller.max_units_per_day !== null ? await lockReseller(trx, reseller.account_id, reseller.id) : reseller;
      if (!r || r.status !== "active") throw new ResellerApiError("reseller_suspended", "this reseller account is suspended");
      const price = await findPrice(trx, r.account_id, r.id, input.pool);
      if (!price || price.archived) throw new ResellerApiError("pool_not_allowed", "this pool is not in your catalog", { params: { pool: input.pool } });
      const unit = resellerUnitPrice(price, { listPriceMinor: price.listPriceMinor, currency: price.poolCurrency }, r.currency);
      if (unit === null) throw new ResellerApiError("price_unavailable", "this pool has no price for you yet", { params: { pool: input.pool } });
      const today = r.max_units_per_day === null ? 0 : await unitsOrderedSince(trx, r.id, utcDayStart(new Date(nowIso)).toISOString());
      const limit = checkLimits({ maxUnitsPerOrder: r.max_units_per_order, maxUnitsPerDay: r.max_units_per_day }, input.quantity, today);
      if (limit) throw new ResellerApiError(limit, limit === "order_limit_exceeded" ? `at most ${r.max_units_per_order} units per order` : `at most ${r.max_units_per_day} units per day`, { params: { limit: (limit === "order_limit_exceeded" ? r.max_units_per_order : r.max_units_per_day) ?? 0 } });
      const total = unit * input.quantity;
      // A cheap early refusal from the balance as read; the debit below is the one that counts.
      if (!applyEntry(r.balance_minor, r.credit_limit_minor, { kind: "debit", amountMinor: -total }).ok) throw insufficient(total);

      // Older backorders of the pool are served first (FIFO): while they wait, a new order waits too.
      const waiting = await poolHasBackorders(trx, input.pool);
      const keys = waiting ? [] : await claimAvailableKeys(trx, s.database.dialect, input.pool, input.quantity, nowIso);
      if (keys.length < input.quantity && !input.allow_backorder) throw new ResellerApiError("out_of_stock", "not enough keys for this order; nothing was charged", { params: { requested: input.quantity } });

      const { order, line } = await insertResellerOrder(trx, { accountId: r.account_id, resellerId: r.id, poolId: input.pool, poolName: price.poolName, quantity: input.quantity, unitPriceMinor: unit, currency: r.currency, reference: input.reference ?? null }, nowIso);
      await insertUnits(trx, Array.from({ length: input.quantity }, (_, i) => ({ accountId: r.account_id, orderLineId: line.id, unitIndex: i, poolId: input.pool, keyId: keys[i] ?? null, now: nowIso })));
      const backordered = input.quantity - keys.length;
      await setOrderStatus(trx, order.id, backordered > 0 ? "partially_allocated" : "allocated", nowIso);
      // The account's rules decide, as for host orders (one indexed read without a rule set):
      // block refuses the order (everything rolls back); review holds it — placed and charged,
      // the claim stands, but no key in the answer and no order.fulfilled until approved.
      const gate = await resellerRiskGate(trx, s, { order, reseller: { id: r.id, email: r.email }, ip, poolId: input.pool, keys: input.quantity, now: nowIso });
      if (gate.action === "block") throw new ResellerApiError("order_blocked", "this order was refused by the merchant's risk rules; nothing was charged");
      held = gate.action === "review";
      // The keys go out in this answer: delivered as of the commit (a held order's wait for review).
      if (!held) await transitionKeys(trx, keys, "deliver", nowIso);
      staged.push(await stageStockSync(s, trx, r.account_id, input.pool));
      if (backordered > 0) staged.push(await s.jobs.stage(trx, "fill-backorders", { accountId: r.account_id, poolId: input.pool }, { accountId: r.account_id, dedupeKey: `fill-backorders:${input.pool}` }));
      await recordAudit(trx, { accountId: r.account_id, actorType: "reseller", actorId: r.id, action: "reseller.order_placed", subjectType: "order", subjectId: order.id, details: { pool: input.pool, quantity: input.quantity, allocated: keys.length, backordered, totalMinor: total, ...(held ? { heldForReview: true } : {}), ...callerRef(caller) }, ip });
      await finishIdempotencyKey(trx, r.id, idempotencyKey, { status: 201, body: null, orderId: order.id });
      // Last: the debit, checked against the balance floor in the statement itself.
      const debit = await debitIfCovered(trx, r.account_id, r.id, total, nowIso);
      if (!debit) throw insufficient(total);
      await insertLedgerRow(
        trx,
        { account_id: r.account_id, reseller_id: r.id, kind: "debit", amount_minor: -total, balance_after_minor: debit.balanceAfter, currency: r.currency, order_id: order.id, reason: null, actor_type: "reseller", actor_id: r.id },
        nowIso,
      );
      // Webhooks, sent once this commits: the order's keys are ready; the balance dipped below its mark.
      if (backordered === 0 && !held) staged.push(...(await emitResellerEvent(s, trx, { accountId: r.account_id, resellerId: r.id, type: "order.fulfilled", data: { order_id: order.id, reference: input.reference ?? null, pool: input.pool, quantity: input.quantity }, now: nowIso })));
      const low = r.low_balance_minor;
      if (low !== null && low !== undefined && debit.balanceAfter + total >= low && debit.balanceAfter < low) {
        staged.push(...(await emitResellerEvent(s, trx, { accountId: r.account_id, resellerId: r.id, type: "balance.low", data: { balance_minor: debit.balanceAfter, currency: r.currency, threshold_minor: low }, now: nowIso })));
      }
      return order.id;
    });
  } catch (e) {
    if (e instanceof ResellerApiError) {
      // Decided by the order: the key keeps the refusal (a retry with it gets the same answer).
      const stored: StoredProblem = { problem: e.problem, message: e.message, params: e.params };
      await finishIdempotencyKey(s.db, reseller.id, idempotencyKey, { status: e.status, body: JSON.stringify(stored), orderId: null });
    } else {
      // Nothing committed: give the key back so a retry can run.
      await releaseIdempotencyKey(s.db, reseller.id, idempotencyKey).catch(() => {});
    }
    throw e;
  }
  await afterHostOrdersApplied(s, [{ outcome: { orderId, status: "allocated", allocated: 0, backordered: 0, released: 0 }, accountId: reseller.account_id, staged, touchedPools: new Set([input.pool]) }]);
  const row = (await findResellerOrder(s.db, reseller.account_id, reseller.id, orderId))!;
  return { status: 201, order: await orderView(s.db, s.cipher, reseller.account_id, row), replayed: false };
}

function insufficient(total: number): ResellerApiError {
  return new ResellerApiError("insufficient_balance", "the balance does not cover this order; nothing was charged", { params: { required: total } });
}

async function replay(s: Deps, caller: ResellerCaller, status: number, body: string | null, orderId: string | null): Promise<PlacedOrder> {
  if (orderId) {
    const row = await findResellerOrder(s.db, caller.reseller.account_id, caller.reseller.id, orderId);
    if (row) return { status, order: await orderView(s.db, s.cipher, caller.reseller.account_id, row), replayed: true };
  }
  const stored = body ? (JSON.parse(body) as StoredProblem) : { problem: "unexpected" as const, message: "the first request failed" };
  const err = new ResellerApiError(stored.problem, stored.message, { params: stored.params });
  (err as ResellerApiError & { replayed?: boolean }).replayed = true;
  throw err;
}
