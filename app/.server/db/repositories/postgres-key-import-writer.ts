import { sql, type ControlledTransaction, type Kysely } from "kysely";
import type { Database } from "../schema.ts";
import { setBatchStatus } from "./key-batches-repo.ts";
import type { ImportBatchRef, KeyImportWriter, SkippedRow } from "./key-import-writer-types.ts";
import { findFingerprints } from "./keys-repo.ts";

/** Progress is touched at most this often (recovery only removes batches quiet for minutes). */
const TOUCH_EVERY_MS = 5_000;

/**
 * Postgres: the whole batch is one transaction, written straight as `available`. MVCC keeps the
 * rows invisible to every other session (allocation, counts, exports) until the commit, which
 * also marks the batch active; a crash or a failure rolls all of it back. Nothing needs the
 * importing → available flip or the crash clean-up that SQLite needs, which saved ~45 s per
 * million keys. Readers and other writers are never blocked by it.
 *
 * Imports into one account run one after another (a transaction-scoped advisory lock): two long
 * transactions inserting overlapping codes would otherwise wait on each other's uncommitted rows,
 * and could deadlock.
 *
 * The batch row itself was inserted before, outside the transaction, as `importing`; progress is
 * touched on another pooled connection so recovery sees a live import. If the process dies, the
 * batch goes quiet and recovery marks it aborted (it has no keys to remove).
 */
export async function openPostgresKeyImportWriter(db: Kysely<Database>, batch: ImportBatchRef): Promise<KeyImportWriter> {
  const trx: ControlledTransaction<Database> = await db.startTransaction().execute();
  let open = true;
  try {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`keyrelay:import:${batch.accountId}`}, 0))`.execute(trx);
  } catch (e) {
    await trx.rollback().execute().catch(() => {});
    throw e;
  }

  let lastTouch = Date.now();
  let touching: Promise<void> | null = null;
  // Not awaited, and never more than one at a time: with a pool of one connection (held by the
  // transaction) it simply runs after the commit instead of deadlocking.
  const touch = () => {
    if (touching || Date.now() - lastTouch < TOUCH_EVERY_MS) return;
    lastTouch = Date.now();
    touching = db
      .updateTable("key_batches")
      .set({ progress_at: new Date().toISOString() })
      .where("id", "=", batch.batchId)
      .execute()
      .then(
        () => {},
        () => {}, // a missed touch only matters after minutes of them
      )
      .finally(() => (touching = null));
  };

  return {
    async write(rows) {
      if (!rows.length) return [];
      const now = new Date().toISOString();
      // One statement per chunk, rows as arrays (one bind per column instead of per value);
      // WITH ORDINALITY + ORDER BY keep the file's order for ids and for "the first copy wins".
      const inserted = await sql<{ fingerprint: Buffer }>`
        insert into keys (account_id, pool_id, batch_id, ciphertext, key_id, fingerprint, state, cost_minor, expires_at, state_changed_at, created_at)
        select ${batch.accountId}, ${batch.poolId}, ${batch.batchId}, t.ct, t.kid, t.fp, 'available', t.cost, t.exp, ${now}::timestamptz, ${now}::timestamptz
        from unnest(${rows.map((r) => r.ciphertext)}::bytea[], ${rows.map((r) => r.keyId)}::text[], ${rows.map((r) => r.fingerprint)}::bytea[],
                    ${rows.map((r) => r.costMinor)}::int8[], ${rows.map((r) => r.expiresAt)}::timestamptz[]) with ordinality as t(ct, kid, fp, cost, exp, n)
        order by t.n
        on conflict (account_id, fingerprint) do nothing
        returning fingerprint`.execute(trx);
      touch();
      if (inserted.rows.length === rows.length) return [];
      // Each returned fingerprint accounts for exactly one row: its first occurrence here.
      const fresh = new Set(inserted.rows.map((r) => Buffer.from(r.fingerprint).toString("base64")));
      const skipped: number[] = [];
      rows.forEach((r, i) => {
        const key = r.fingerprint.toString("base64");
        if (fresh.has(key)) fresh.delete(key);
        else skipped.push(i);
      });
      // Inside the transaction, so this batch's own uncommitted rows are seen as its own.
      const holders = await findFingerprints(trx, batch.accountId, skipped.map((i) => rows[i].fingerprint));
      return skipped.map((index): SkippedRow => {
        const holder = holders.get(rows[index].fingerprint.toString("base64"));
        return { index, where: holder?.batchId === batch.batchId ? "inFile" : "inStock" };
      });
    },
    async commit(keyCount) {
      // Recovery may have given up on a batch that went quiet for too long: then nothing commits.
      if (!(await setBatchStatus(trx, batch.batchId, "importing", "active", keyCount))) throw new Error("the import's batch is no longer importing (recovered as stale?)");
      await trx.commit().execute();
      open = false;
    },
    async abort() {
      if (open) {
        open = false;
        // A connection that died mid-import has been rolled back by the server already.
        await trx.rollback().execute().catch(() => {});
      }
      await setBatchStatus(db, batch.batchId, "importing", "aborted");
    },
  };
}
