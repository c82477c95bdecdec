import { decodeKeyPayload } from "../crypto/key-payload.ts";
import type { AllocationStatus, Delivery, KeyState, Order, StorePlatform } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { maskCode } from "../domain/key-code.ts";
import type { Services } from "../ports.ts";
import { orderBelongsTo } from "../db/repositories/orders-repo.ts";

export interface OrderUnit {
  allocationId: number;
  unitIndex: number;
  status: AllocationStatus;
  keyId: number | null;
  keyState: KeyState | null;
  /** The key masked (ABCD…WXYZ); the plaintext only through an audited reveal. */
  masked: string | null;
  fulfilledAt: string | null;
}

export interface OrderLineDetail {
  id: string;
  title: string | null;
  productId: string | null;
  variantId: string | null;
  quantity: number;
  refundedQuantity: number;
  unitsPerItem: number;
  poolId: string | null;
  poolName: string | null;
  units: OrderUnit[];
}

export interface OrderDetail {
  order: Order;
  store: { id: string; name: string; platform: StorePlatform; domain: string } | null;
  /** The reseller that bought it over the API (issue 14); null for a store's order. */
  reseller: { id: string; name: string } | null;
  lines: OrderLineDetail[];
  deliveries: Pick<Delivery, "channel" | "status" | "attempts" | "last_error" | "sent_at" | "updated_at">[];
  failedJobs: { id: number; queue: string; attempts: number; lastError: string | null; errorKind: string | null; updatedAt: string }[];
  audit: { id: number; action: string; actorType: string; actorId: string | null; subjectType: string | null; subjectId: string | null; createdAt: string }[];
}

const MAX_AUDIT = 50;

/** Throws order_not_found (a 404) unless the order is this account's: the guard of every action on an order's page. */
export async function requireAccountOrder(s: Pick<Services, "db">, accountId: string, orderId: string): Promise<void> {
  if (!(await orderBelongsTo(s.db, accountId, orderId))) throw new InvalidInputError("order_not_found", "no such order", { field: "orderId", params: { id: orderId } });
}

/**
 * Everything the order page shows about one order of this account: its lines and their units
 * (keys masked — decrypted here only to mask them, never returned whole), each delivery
 * channel, the jobs for it that failed, and its audit trail. Another account's order id is
 * "no such order".
 */
export async function getOrderDetail(s: Pick<Services, "db" | "cipher">, accountId: string, orderId: string): Promise<OrderDetail> {
  const order = await s.db.selectFrom("orders").selectAll().where("account_id", "=", accountId).where("id", "=", orderId).executeTakeFirst();
  if (!order) throw new InvalidInputError("order_not_found", "no such order", { params: { id: orderId } });

  const [store, reseller, lines, units, deliveries, failedJobs] = await Promise.all([
    order.store_id
      ? s.db.selectFrom("stores").select(["id", "name", "platform", "domain"]).where("account_id", "=", accountId).where("id", "=", order.store_id).executeTakeFirst()
      : Promise.resolve(undefined),
    order.reseller_id
      ? s.db.selectFrom("resellers").select(["id", "name"]).where("account_id", "=", accountId).where("id", "=", order.reseller_id).executeTakeFirst()
      : Promise.resolve(undefined),
    s.db
      .selectFrom("order_lines as l")
      .leftJoin("pools as p", (j) => j.onRef("p.id", "=", "l.pool_id").onRef("p.account_id", "=", "l.account_id"))
      .select(["l.id", "l.title", "l.product_id", "l.variant_id", "l.quantity", "l.refunded_quantity", "l.units_per_item", "l.pool_id", "p.name as pool_name"])
      .where("l.account_id", "=", accountId)
      .where("l.order_id", "=", order.id)
      .orderBy("l.created_at")
      .orderBy("l.id")
      .execute(),
    s.db
      .selectFrom("allocations as a")
      .innerJoin("order_lines as l", "l.id", "a.order_line_id")
      .leftJoin("keys as k", (j) => j.onRef("k.id", "=", "a.key_id").onRef("k.account_id", "=", "a.account_id"))
      .select(["a.id", "a.order_line_id", "a.unit_index", "a.status", "a.key_id", "a.fulfilled_at", "k.state as key_state", "k.ciphertext", "k.key_id as cipher_key_id"])
      .where("a.account_id", "=", accountId)
      .where("l.order_id", "=", order.id)
      .orderBy("a.order_line_id")
      .orderBy("a.unit_index")
      .execute(),
    s.db
      .selectFrom("deliveries")
      .select(["channel", "status", "attempts", "last_error", "sent_at", "updated_at"])
      .where("account_id", "=", accountId)
      .where("order_id", "=", order.id)
      .orderBy("channel")
      .execute(),
    s.db
      .selectFrom("jobs")
      .select(["id", "queue", "attempts", "last_error", "error_kind", "updated_at"])
      .where("account_id", "=", accountId)
      .where("status", "=", "failed")
      .where("payload", "like", `%"orderId":"${order.id.replace(/[%_\\"]/g, "")}"%`)
      .orderBy("id", "desc")
      .limit(50)
      .execute(),
  ]);

  const keyIds = units.filter((u) => u.key_id !== null).map((u) => String(u.key_id));
  const audit = await s.db
    .selectFrom("audit_log")
    .select(["id", "action", "actor_type", "actor_id", "subject_type", "subject_id", "created_at"])
    .where("account_id", "=", accountId)
    .where((eb) => {
      const ofOrder = eb.and([eb("subject_type", "=", "order"), eb("subject_id", "=", order.id)]);
      return keyIds.length ? eb.or([ofOrder, eb.and([eb("subject_type", "=", "key"), eb("subject_id", "in", keyIds)])]) : ofOrder;
    })
    .orderBy("id", "desc")
    .limit(MAX_AUDIT)
    .execute();

  const unitsByLine = new Map<string, OrderUnit[]>();
  for (const u of units) {
    const masked = u.ciphertext && u.cipher_key_id ? maskCode(decodeKeyPayload(s.cipher.openString({ ciphertext: Buffer.from(u.ciphertext), keyId: u.cipher_key_id }, accountId)).code) : null;
    const list = unitsByLine.get(u.order_line_id) ?? [];
    list.push({ allocationId: Number(u.id), unitIndex: u.unit_index, status: u.status, keyId: u.key_id === null ? null : Number(u.key_id), keyState: u.key_state ?? null, masked, fulfilledAt: u.fulfilled_at });
    unitsByLine.set(u.order_line_id, list);
  }

  return {
    order,
    store: store ?? null,
    reseller: reseller ?? null,
    lines: lines.map((l) => ({
      id: l.id,
      title: l.title,
      productId: l.product_id,
      variantId: l.variant_id,
      quantity: l.quantity,
      refundedQuantity: l.refunded_quantity,
      unitsPerItem: l.units_per_item,
      poolId: l.pool_id,
      poolName: l.pool_name ?? null,
      units: unitsByLine.get(l.id) ?? [],
    })),
    deliveries,
    failedJobs: failedJobs.map((j) => ({ id: Number(j.id), queue: j.queue, attempts: j.attempts, lastError: j.last_error, errorKind: j.error_kind, updatedAt: j.updated_at })),
    audit: audit.map((a) => ({ id: Number(a.id), action: a.action, actorType: a.actor_type, actorId: a.actor_id, subjectType: a.subject_type, subjectId: a.subject_id, createdAt: a.created_at })),
  };
}
