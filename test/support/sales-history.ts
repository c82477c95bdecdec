import crypto from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../app/.server/db/schema.ts";
import { seededRandom } from "./seeded-random.ts";

/**
 * A synthetic, seeded sales history written straight into the tables the app keeps (orders,
 * lines, keys with their batch cost, allocations), for the Reports page's e2e test and
 * bench/reports. The report triggers mark every order, so the app's refresher (or `report
 * rebuild`) turns them into rollups exactly as it does for real orders. Keys hold random bytes,
 * not sealed codes: nothing here is ever revealed.
 */
export interface HistoryPool {
  id: string;
  /** Relative popularity (best sellers sell more). */
  weight: number;
  priceMinor: number;
  /** Cost per key in the sale currency; null = keys without a cost. */
  costMinor: number | null;
  supplier?: string;
  /** The host product's title on the order lines. */
  title?: string;
}

export interface HistoryOptions {
  accountId: string;
  storeIds: string[];
  pools: HistoryPool[];
  /** Last day (UTC date) and how many days back. */
  endDay: string;
  days: number;
  ordersPerDay: number;
  currency: string;
  /** Distinct buyers: fewer buyers than orders means repeat purchases. */
  buyers: number;
  refundShare?: number;
  /** Keys committed a few seconds after payment (3 % of orders wait for a restock, up to two days) instead of at once. */
  deliveryDelays?: boolean;
  seed?: number;
  onProgress?: (ordersWritten: number) => void;
}

const CHUNK = 400;

export async function writeSalesHistory(db: Kysely<Database>, o: HistoryOptions): Promise<{ orders: number; keys: number }> {
  const rnd = seededRandom(o.seed ?? 42);
  const totalWeight = o.pools.reduce((n, p) => n + p.weight, 0);
  const pickPool = () => {
    let x = rnd.next() * totalWeight;
    for (const p of o.pools) if ((x -= p.weight) <= 0) return p;
    return o.pools[o.pools.length - 1];
  };
  const now = new Date().toISOString();
  const batchOf = new Map<string, string>();
  for (const p of o.pools) {
    const id = crypto.randomUUID();
    batchOf.set(p.id, id);
    await db
      .insertInto("key_batches")
      .values({ id, account_id: o.accountId, pool_id: p.id, supplier: p.supplier ?? null, notes: null, source_name: "history.txt", cost_minor: p.costMinor, currency: p.costMinor === null ? null : o.currency, expires_at: null, key_count: 0, status: "active", progress_at: null, created_by: null, voided_at: null, created_at: now })
      .execute();
  }
  const start = Date.parse(`${o.endDay}T00:00:00Z`) - (o.days - 1) * 86_400_000;
  let orders = 0;
  let keys = 0;
  let buffer: { order: Record<string, unknown>; line: Record<string, unknown>; pool: HistoryPool; refunded: boolean; claimedAt: string; fulfilledAt: string }[] = [];
  let flushes = 0;
  const flush = async () => {
    if (buffer.length === 0) return;
    const part = buffer;
    buffer = [];
    await db.transaction().execute(async (trx) => {
      await trx.insertInto("orders").values(part.map((p) => p.order) as never).execute();
      await trx.insertInto("order_lines").values(part.map((p) => p.line) as never).execute();
      const keyRows = part.flatMap((p) =>
        Array.from({ length: p.line.quantity as number }, () => ({
          account_id: o.accountId,
          pool_id: p.pool.id,
          batch_id: batchOf.get(p.pool.id)!,
          ciphertext: crypto.randomBytes(24),
          key_id: "history",
          fingerprint: crypto.randomBytes(32),
          state: p.refunded ? ("revoked" as const) : ("delivered" as const),
          cost_minor: p.pool.costMinor,
          expires_at: null,
          allocated_at: p.order.placed_at as string,
          delivered_at: p.order.placed_at as string,
          state_changed_at: p.order.placed_at as string,
          created_at: p.order.placed_at as string,
        })),
      );
      const ids = await trx.insertInto("keys").values(keyRows).returning("id").execute();
      let k = 0;
      const allocations = part.flatMap((p) =>
        Array.from({ length: p.line.quantity as number }, (_, unit) => ({
          account_id: o.accountId,
          order_line_id: p.line.id as string,
          unit_index: unit,
          pool_id: p.pool.id,
          key_id: Number(ids[k++].id),
          status: p.refunded ? ("revoked" as const) : ("allocated" as const),
          created_at: p.claimedAt,
          fulfilled_at: p.fulfilledAt,
        })),
      );
      await trx.insertInto("allocations").values(allocations).execute();
      keys += keyRows.length;
    });
    o.onProgress?.(orders);
    // SQLite: keep the WAL small during a bulk write (see report rebuild).
    if (++flushes % 20 === 0) await sql`pragma wal_checkpoint(RESTART)`.execute(db).catch(() => undefined);
  };
  for (let d = 0; d < o.days; d++) {
    const dayStart = start + d * 86_400_000;
    const weekday = new Date(dayStart).getUTCDay();
    // Weekends sell more; the last third of the range grows (a trend for the forecast to find).
    const mean = o.ordersPerDay * (weekday === 0 || weekday === 6 ? 1.4 : 0.85) * (d > (o.days * 2) / 3 ? 1.25 : 1);
    const n = rnd.poisson(mean);
    for (let i = 0; i < n; i++) {
      const pool = pickPool();
      const quantity = rnd.next() < 0.8 ? 1 : rnd.next() < 0.7 ? 2 : 3;
      const placed = new Date(dayStart + Math.floor(rnd.next() * 86_400_000)).toISOString();
      const id = crypto.randomUUID();
      const refunded = rnd.next() < (o.refundShare ?? 0.03);
      const buyer = Math.floor(rnd.next() ** 2 * o.buyers);
      const waited = o.deliveryDelays ? rnd.next() < 0.03 : false;
      const delayMs = !o.deliveryDelays ? 0 : waited ? 600_000 + Math.floor(rnd.next() * 172_800_000) : Math.floor(-Math.log(1 - rnd.next()) * 1500);
      orders += 1;
      buffer.push({
        pool,
        refunded,
        claimedAt: new Date(Date.parse(placed) + (waited ? 200 : delayMs)).toISOString(),
        fulfilledAt: new Date(Date.parse(placed) + delayMs).toISOString(),
        order: {
          id,
          account_id: o.accountId,
          store_id: o.storeIds[Math.floor(rnd.next() * o.storeIds.length)],
          reseller_id: null,
          external_id: `H${orders}`,
          name: `#H${orders}`,
          email: `buyer${buyer}@example.com`,
          customer_name: null,
          customer_id: null,
          locale: "en",
          currency: o.currency,
          total_minor: quantity * pool.priceMinor,
          financial_status: refunded ? "refunded" : "paid",
          status: "allocated",
          risk_decision: "none",
          risk_reasons: null,
          placed_at: placed,
          created_at: placed,
          updated_at: placed,
        },
        line: {
          id: crypto.randomUUID(),
          account_id: o.accountId,
          order_id: id,
          external_line_id: `H${orders}-1`,
          product_id: `P-${pool.id.slice(0, 8)}`,
          variant_id: null,
          title: pool.title ?? null,
          quantity,
          refunded_quantity: refunded ? quantity : 0,
          unit_price_minor: pool.priceMinor,
          mapping_id: null,
          pool_id: pool.id,
          units_per_item: 1,
          created_at: placed,
        },
      });
      if (buffer.length >= CHUNK) await flush();
    }
  }
  await flush();
  return { orders, keys };
}
