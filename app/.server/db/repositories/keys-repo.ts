import type { Database, KeyState } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import type { Kysely } from "kysely";

const ROWS_PER_STATEMENT = 400;

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
