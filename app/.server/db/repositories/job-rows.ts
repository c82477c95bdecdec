import type { Kysely, Transaction } from "kysely";
import type { Database, Job, JobStatus } from "../schema.ts";

/** The jobs table is the truth about work to do; the queue engines only say "look at row N". */

export type Executor = Kysely<Database> | Transaction<Database>;

export interface NewJobRow {
  queue: string;
  payload: unknown;
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

const iso = (d: Date) => d.toISOString();

/** Inserts the row (or finds the existing one with the same dedupe key). Returns its id and whether it is new. */
export async function insertJob(db: Executor, job: NewJobRow, now = new Date()): Promise<{ id: number; created: boolean; runAt: string }> {
  const runAt = iso(job.runAt ?? now);
  const inserted = await db
    .insertInto("jobs")
    .values({
      queue: job.queue,
      payload: JSON.stringify(job.payload ?? {}),
      dedupe_key: job.dedupeKey ?? null,
      status: "pending",
      attempts: 0,
      max_attempts: job.maxAttempts ?? 10,
      run_at: runAt,
      created_at: iso(now),
      updated_at: iso(now),
    })
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .returning(["id", "run_at"])
    .executeTakeFirst();
  if (inserted) return { id: Number(inserted.id), created: true, runAt: inserted.run_at };
  const existing = await db
    .selectFrom("jobs")
    .select(["id", "run_at"])
    .where("dedupe_key", "=", job.dedupeKey!)
    .executeTakeFirstOrThrow();
  return { id: Number(existing.id), created: false, runAt: existing.run_at };
}

/** One conditional UPDATE: of any number of workers triggered for the same row, exactly one claims it. */
export async function claimJob(db: Executor, id: number, workerId: string, now = new Date()): Promise<Job | undefined> {
  return db
    .updateTable("jobs")
    .set((eb) => ({
      status: "running",
      attempts: eb("attempts", "+", 1),
      locked_at: iso(now),
      locked_by: workerId,
      updated_at: iso(now),
    }))
    .where("id", "=", id)
    .where("status", "=", "pending")
    .where("run_at", "<=", iso(now))
    .returningAll()
    .executeTakeFirst();
}

export async function finishJob(
  db: Executor,
  id: number,
  workerId: string,
  result:
    | { status: "done"; note?: string; errorKind?: string }
    | { status: "failed"; error: string; errorKind: string }
    | { status: "pending"; error: string; errorKind: string; runAt: Date },
  now = new Date(),
): Promise<boolean> {
  const r = await db
    .updateTable("jobs")
    .set({
      status: result.status,
      locked_at: null,
      locked_by: null,
      updated_at: iso(now),
      completed_at: result.status === "pending" ? null : iso(now),
      last_error: "error" in result ? result.error : (result.note ?? null),
      error_kind: result.errorKind ?? null,
      ...(result.status === "pending" ? { run_at: iso(result.runAt) } : {}),
    })
    .where("id", "=", id)
    .where("status", "=", "running")
    .where("locked_by", "=", workerId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Rows left `running` by a crashed worker go back to `pending` (or `failed` when out of attempts).
 * Returns the ids made pending again.
 */
export async function releaseStaleJobs(db: Executor, lockTimeoutMs: number, now = new Date()): Promise<number[]> {
  const cutoff = iso(new Date(now.getTime() - lockTimeoutMs));
  await db
    .updateTable("jobs")
    .set({ status: "failed", locked_at: null, locked_by: null, updated_at: iso(now), completed_at: iso(now), last_error: "worker stopped while running it; out of attempts", error_kind: "retryable" })
    .where("status", "=", "running")
    .where("locked_at", "<", cutoff)
    .whereRef("attempts", ">=", "max_attempts")
    .execute();
  const released = await db
    .updateTable("jobs")
    .set({ status: "pending", locked_at: null, locked_by: null, updated_at: iso(now), run_at: iso(now), last_error: "worker stopped while running it; retried" })
    .where("status", "=", "running")
    .where("locked_at", "<", cutoff)
    .returning("id")
    .execute();
  return released.map((r) => Number(r.id));
}

export async function dueJobs(db: Executor, limit: number, now = new Date()): Promise<{ id: number; queue: string; attempts: number }[]> {
  const rows = await db
    .selectFrom("jobs")
    .select(["id", "queue", "attempts"])
    .where("status", "=", "pending")
    .where("run_at", "<=", iso(now))
    .orderBy("run_at")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), queue: r.queue, attempts: r.attempts }));
}

export interface JobCounts {
  queue: string;
  status: JobStatus;
  count: number;
}

export async function countJobs(db: Executor): Promise<JobCounts[]> {
  const rows = await db
    .selectFrom("jobs")
    .select((eb) => ["queue", "status", eb.fn.countAll<number>().as("count")])
    .groupBy(["queue", "status"])
    .orderBy("queue")
    .execute();
  return rows.map((r) => ({ queue: r.queue, status: r.status, count: Number(r.count) }));
}

export async function oldestPending(db: Executor): Promise<string | null> {
  const r = await db.selectFrom("jobs").select((eb) => eb.fn.min("run_at").as("m")).where("status", "=", "pending").executeTakeFirst();
  return (r?.m as string | null) ?? null;
}

export async function recentFailedJobs(db: Executor, limit: number): Promise<Pick<Job, "id" | "queue" | "attempts" | "last_error" | "error_kind" | "updated_at">[]> {
  const rows = await db
    .selectFrom("jobs")
    .select(["id", "queue", "attempts", "last_error", "error_kind", "updated_at"])
    .where("status", "=", "failed")
    .orderBy("updated_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function getJob(db: Executor, id: number): Promise<Job | undefined> {
  return db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
}
