import crypto from "node:crypto";
import type { BatchStatus, KeyBatch } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export async function insertBatch(
  db: Executor,
  b: { accountId: string; poolId: string; supplier?: string | null; notes?: string | null; sourceName?: string | null; costMinor?: number | null; currency?: string | null; expiresAt?: string | null; createdBy?: string | null },
): Promise<KeyBatch> {
  const row: KeyBatch = {
    id: crypto.randomUUID(),
    account_id: b.accountId,
    pool_id: b.poolId,
    supplier: b.supplier ?? null,
    notes: b.notes ?? null,
    source_name: b.sourceName ?? null,
    cost_minor: b.costMinor ?? null,
    currency: b.currency ?? null,
    expires_at: b.expiresAt ?? null,
    key_count: 0,
    status: "importing",
    progress_at: new Date().toISOString(),
    created_by: b.createdBy ?? null,
    voided_at: null,
    created_at: new Date().toISOString(),
  };
  await db.insertInto("key_batches").values(row).execute();
  return row;
}

export async function setBatchStatus(db: Executor, id: string, from: BatchStatus, to: BatchStatus, keyCount?: number): Promise<boolean> {
  const r = await db
    .updateTable("key_batches")
    .set({ status: to, ...(keyCount !== undefined ? { key_count: keyCount } : {}) })
    .where("id", "=", id)
    .where("status", "=", from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listBatches(db: Executor, accountId: string, poolId: string): Promise<KeyBatch[]> {
  return db
    .selectFrom("key_batches")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("pool_id", "=", poolId)
    .where("status", "=", "active")
    .orderBy("created_at", "desc")
    .execute();
}

export async function touchBatch(db: Executor, id: string): Promise<void> {
  await db.updateTable("key_batches").set({ progress_at: new Date().toISOString() }).where("id", "=", id).execute();
}

/** Batches whose import has shown no progress since `quietSince` (its process died). */
export async function staleBatches(db: Executor, quietSince: string): Promise<Pick<KeyBatch, "id" | "status" | "account_id" | "pool_id">[]> {
  return db
    .selectFrom("key_batches")
    .select(["id", "status", "account_id", "pool_id"])
    .where("status", "in", ["importing", "committing"])
    .where("progress_at", "<", quietSince)
    .execute();
}
