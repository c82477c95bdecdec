import type { Database, KeyState } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import type { Kysely } from "kysely";

export interface ImportedKeyRow {
  ciphertext: Buffer;
  keyId: string;
  fingerprint: Buffer;
  costMinor: number | null;
  expiresAt: string | null;
}

const ROWS_PER_STATEMENT = 400;

/**
 * Inserts `importing` keys; a fingerprint already present for the account (in this batch or any
 * earlier stock) is skipped by the unique index. Returns the indexes (into `rows`) of skipped rows.
 */
export async function insertImportingKeys(
  db: Executor,
  ctx: { accountId: string; poolId: string; batchId: string; now: string },
  rows: ImportedKeyRow[],
): Promise<number[]> {
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const slice = rows.slice(i, i + ROWS_PER_STATEMENT);
    const result = await db
      .insertInto("keys")
      .values(
        slice.map((r) => ({
          account_id: ctx.accountId,
          pool_id: ctx.poolId,
          batch_id: ctx.batchId,
          ciphertext: r.ciphertext,
          key_id: r.keyId,
          fingerprint: r.fingerprint,
          state: "importing" as const,
          cost_minor: r.costMinor,
          expires_at: r.expiresAt,
          state_changed_at: ctx.now,
          created_at: ctx.now,
        })),
      )
      .onConflict((oc) => oc.columns(["account_id", "fingerprint"]).doNothing())
      .returning("fingerprint")
      .execute();
    for (const r of result) inserted.add(Buffer.from(r.fingerprint).toString("base64"));
  }
  // Each inserted fingerprint accounts for exactly one row: its first occurrence. A later copy in
  // the same call (a duplicate within the chunk) was skipped by the index like any other.
  const skipped: number[] = [];
  rows.forEach((r, i) => {
    const key = r.fingerprint.toString("base64");
    if (inserted.has(key)) inserted.delete(key);
    else skipped.push(i);
  });
  return skipped;
}

/** Which of these fingerprints exist for the account, and in which batch. */
export async function findFingerprints(db: Executor, accountId: string, fingerprints: Buffer[]): Promise<Map<string, { batchId: string; keyId: number; state: KeyState }>> {
  const out = new Map<string, { batchId: string; keyId: number; state: KeyState }>();
  for (let i = 0; i < fingerprints.length; i += ROWS_PER_STATEMENT) {
    const slice = fingerprints.slice(i, i + ROWS_PER_STATEMENT);
    if (!slice.length) continue;
    const rows = await db
      .selectFrom("keys")
      .select(["fingerprint", "batch_id", "id", "state"])
      .where("account_id", "=", accountId)
      .where("fingerprint", "in", slice)
      .execute();
    for (const r of rows) out.set(Buffer.from(r.fingerprint).toString("base64"), { batchId: r.batch_id, keyId: Number(r.id), state: r.state });
  }
  return out;
}

/**
 * Flips a committing batch's keys from importing to available, in bounded transactions so a big
 * batch never holds the write lock long. Idempotent: a crash mid-way is finished by calling it again.
 */
export async function activateBatchKeys(db: Kysely<Database>, batchId: string, chunk = 20_000): Promise<number> {
  let total = 0;
  for (;;) {
    const now = new Date().toISOString();
    const r = await db
      .updateTable("keys")
      .set({ state: "available", state_changed_at: now })
      .where("id", "in", (eb) =>
        eb.selectFrom("keys").select("id").where("batch_id", "=", batchId).where("state", "=", "importing").limit(chunk),
      )
      .executeTakeFirst();
    const n = Number(r.numUpdatedRows);
    total += n;
    if (n < chunk) return total;
  }
}

/** Removes an aborted import's keys (they were never sellable), in bounded transactions. */
export async function deleteImportingKeys(db: Kysely<Database>, batchId: string, chunk = 20_000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await db
      .deleteFrom("keys")
      .where("id", "in", (eb) => eb.selectFrom("keys").select("id").where("batch_id", "=", batchId).where("state", "=", "importing").limit(chunk))
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    total += n;
    if (n < chunk) return total;
  }
}

export async function countBatchKeys(db: Executor, batchId: string, state: KeyState): Promise<number> {
  const r = await db
    .selectFrom("keys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("batch_id", "=", batchId)
    .where("state", "=", state)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
