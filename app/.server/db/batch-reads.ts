import { AsyncLocalStorage } from "node:async_hooks";
import type { Executor } from "./repositories/job-rows.ts";

/**
 * Reads shared by the rows of one job batch. The rows of a batch (write-back, email, risk for a
 * burst of orders) mostly belong to one store and one account, and each row read both again: on
 * Postgres every read is a round trip. Inside `withBatchReads`, a store or account row read
 * outside a transaction is read once per batch, as process-event's batch handler already reads
 * its stores once (listStoresByIds). What a row then sees is the row as it was when the batch
 * first read it, at most one batch's duration ago; a change made meanwhile (here or in another
 * process) is seen by the next batch, as it is by a row that started a moment earlier. Reads in a
 * transaction always go to the database (a transaction may read what it wrote, or need the
 * newest row under its locks). Outside a batch nothing is remembered.
 */
const scope = new AsyncLocalStorage<{ reads: Map<string, Promise<unknown>>; open: boolean }>();

export async function withBatchReads<T>(work: () => Promise<T>): Promise<T> {
  const batch = { reads: new Map<string, Promise<unknown>>(), open: true };
  try {
    return await scope.run(batch, work);
  } finally {
    // Work the batch started that outlives it (a timer, a trigger's next batch) inherits this
    // scope: it must read the database again, not what the batch read.
    batch.open = false;
    batch.reads.clear();
  }
}

export function batchRead<T>(db: Executor, key: string, read: () => Promise<T>): Promise<T> {
  const batch = scope.getStore();
  if (!batch?.open || db.isTransaction) return read();
  let p = batch.reads.get(key) as Promise<T> | undefined;
  if (!p) {
    p = read();
    batch.reads.set(key, p);
    // A failed read is not remembered: the next row reads again.
    p.catch(() => batch.reads.delete(key));
  }
  return p;
}

/** A write to a row through this process drops what its batch remembered of it. */
export function forgetBatchRead(key: string): void {
  scope.getStore()?.reads.delete(key);
}
