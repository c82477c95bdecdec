import type { ResellerIdempotencyKeysTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { iso } from "./resellers-repo.ts";

export type IdempotencyRow = ResellerIdempotencyKeysTable;

/** Takes the key for a new request; false when a row for it exists (another request had it first). */
export async function claimIdempotencyKey(db: Executor, row: Pick<IdempotencyRow, "reseller_id" | "idempotency_key" | "account_id" | "fingerprint">, now: string): Promise<boolean> {
  const r = await db
    .insertInto("reseller_idempotency_keys")
    .values({ ...row, state: "in_flight", response_status: null, response_body: null, order_id: null, created_at: now, locked_at: now })
    .onConflict((oc) => oc.columns(["reseller_id", "idempotency_key"]).doNothing())
    .returning("reseller_id")
    .executeTakeFirst();
  return r !== undefined;
}

export async function readIdempotencyKey(db: Executor, resellerId: string, key: string): Promise<IdempotencyRow | undefined> {
  const r = await db.selectFrom("reseller_idempotency_keys").selectAll().where("reseller_id", "=", resellerId).where("idempotency_key", "=", key).executeTakeFirst();
  return r && { ...r, created_at: iso(r.created_at), locked_at: iso(r.locked_at) };
}

/**
 * Takes over an expired key or one whose holder died (see domain/idempotency.ts), as a
 * compare-and-set on the row as it was read: of two requests taking over, one wins.
 */
export async function takeOverIdempotencyKey(db: Executor, seen: IdempotencyRow, fingerprint: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable("reseller_idempotency_keys")
    .set({ fingerprint, state: "in_flight", response_status: null, response_body: null, order_id: null, created_at: now, locked_at: now })
    .where("reseller_id", "=", seen.reseller_id)
    .where("idempotency_key", "=", seen.idempotency_key)
    .where("state", "=", seen.state)
    .where("locked_at", "=", seen.locked_at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Stores the answer (in the order's transaction, so an order and its answer commit together). */
export async function finishIdempotencyKey(db: Executor, resellerId: string, key: string, answer: { status: number; body: string | null; orderId: string | null }): Promise<void> {
  await db
    .updateTable("reseller_idempotency_keys")
    .set({ state: "done", response_status: answer.status, response_body: answer.body, order_id: answer.orderId })
    .where("reseller_id", "=", resellerId)
    .where("idempotency_key", "=", key)
    .execute();
}

/** Gives the key back after an unexpected failure (nothing committed): a retry may run again. */
export async function releaseIdempotencyKey(db: Executor, resellerId: string, key: string): Promise<void> {
  await db.deleteFrom("reseller_idempotency_keys").where("reseller_id", "=", resellerId).where("idempotency_key", "=", key).where("state", "=", "in_flight").execute();
}
