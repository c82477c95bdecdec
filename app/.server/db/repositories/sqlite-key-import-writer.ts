import type SQLite from "better-sqlite3";
import type { DatabaseHandle } from "../database.ts";
import { setBatchStatus } from "./key-batches-repo.ts";
import type { ImportBatchRef, ImportedKeyRow, KeyImportWriter, SkippedRow } from "./key-import-writer-types.ts";
import { activateBatchKeys, deleteImportingKeys, findFingerprints } from "./keys-repo.ts";

interface Statements {
  insert: SQLite.Statement;
  touch: SQLite.Statement;
}
const prepared = new WeakMap<SQLite.Database, Statements>();

function statements(sqlite: SQLite.Database): Statements {
  let s = prepared.get(sqlite);
  if (!s) {
    s = {
      insert: sqlite.prepare(
        `insert into keys (account_id, pool_id, batch_id, ciphertext, key_id, fingerprint, state, cost_minor, expires_at, state_changed_at, created_at)
         values (?, ?, ?, ?, ?, ?, 'importing', ?, ?, ?, ?) on conflict (account_id, fingerprint) do nothing`,
      ),
      touch: sqlite.prepare("update key_batches set progress_at = ? where id = ?"),
    };
    prepared.set(sqlite, s);
  }
  return s;
}

/**
 * SQLite has one writer for the whole file, so a million-key batch cannot be one transaction
 * without stalling every webhook for a minute. Instead each write is its own short transaction
 * of `importing` rows (never sold, never listed), and commit flips them to `available`; a crash
 * in between leaves a quiet `importing`/`committing` batch that recoverImports rolls back or
 * forward.
 *
 * Rows go through one prepared single-row INSERT on the better-sqlite3 handle (the raw limit's
 * own shape), inside Kysely's connection lock: building multi-row queries through Kysely cost
 * about as much again as SQLite itself.
 */
export function openSqliteKeyImportWriter(database: Extract<DatabaseHandle, { dialect: "sqlite" }>, batch: ImportBatchRef): KeyImportWriter {
  const { insert, touch } = statements(database.sqlite);
  const insertAll = database.sqlite.transaction((rows: ImportedKeyRow[], now: string): number[] => {
    touch.run(now, batch.batchId);
    const skipped: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const info = insert.run(batch.accountId, batch.poolId, batch.batchId, r.ciphertext, r.keyId, r.fingerprint, r.costMinor, r.expiresAt, now, now);
      if (info.changes === 0) skipped.push(i);
    }
    return skipped;
  });
  return {
    async write(rows) {
      const now = new Date().toISOString();
      const skipped = await database.db.connection().execute(async () => insertAll(rows, now));
      if (!skipped.length) return [];
      // Rare: where the existing copy lives says which kind of duplicate it is.
      const holders = await findFingerprints(database.db, batch.accountId, skipped.map((i) => rows[i].fingerprint));
      return skipped.map((index): SkippedRow => {
        const holder = holders.get(rows[index].fingerprint.toString("base64"));
        return { index, where: holder?.batchId === batch.batchId ? "inFile" : "inStock" };
      });
    },
    async commit(keyCount) {
      const db = database.db;
      await db.updateTable("key_batches").set({ progress_at: new Date().toISOString() }).where("id", "=", batch.batchId).execute();
      if (!(await setBatchStatus(db, batch.batchId, "importing", "committing", keyCount))) throw new Error("the import's batch is no longer importing (recovered as stale?)");
      await activateBatchKeys(db, batch.batchId);
      await setBatchStatus(db, batch.batchId, "committing", "active");
    },
    async abort() {
      await setBatchStatus(database.db, batch.batchId, "importing", "aborted");
      await deleteImportingKeys(database.db, batch.batchId);
    },
  };
}
