import { sql, type Kysely, type Transaction } from "kysely";
import { isUniqueViolation } from "../errors.ts";
import type { Database, Job, JobStatus } from "../schema.ts";

/** The jobs table is the truth about work to do; the queue engines only say "look at row N". */

export type Executor = Kysely<Database> | Transaction<Database>;

export interface NewJobRow {
  queue: string;
  accountId?: string | null;
  payload: unknown;
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

const iso = (d: Date) => d.toISOString();

/**
 * Inserts the row, or — when a row with the same dedupe key is still waiting (pending) — returns
 * that one instead: requests merge while work waits, and new work after it started gets a new row.
 */
export async function insertJob(db: Executor, job: NewJobRow, now = new Date()): Promise<{ id: number; created: boolean; runAt: string }> {
  const runAt = iso(job.runAt ?? now);
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await tryInsertJob(db, job, runAt, now);
    if (inserted) return { id: Number(inserted.id), created: true, runAt: inserted.run_at };
    const waiting = await db
      .selectFrom("jobs")
      .select(["id", "run_at"])
      .where("dedupe_key", "=", job.dedupeKey!)
      .where("status", "=", "pending")
      .executeTakeFirst();
    // Claimed between our insert and this read: try again, now there is room for a new row.
    if (waiting) return { id: Number(waiting.id), created: false, runAt: waiting.run_at };
  }
  throw new Error(`could not enqueue ${job.queue} with dedupe key ${job.dedupeKey}`);
}

/**
 * Several keyed rows in one INSERT (the follow-ups an order stages together); each merged into
 * its waiting twin as insertJob does. The dedupe keys must be distinct: the rows are matched to
 * the answer by them. A row whose twin was claimed between the insert and the read takes
 * insertJob's own retry.
 */
export async function insertJobs(db: Executor, jobs: readonly (NewJobRow & { dedupeKey: string })[], now = new Date()): Promise<{ id: number; created: boolean; runAt: string }[]> {
  if (jobs.length === 0) return [];
  if (new Set(jobs.map((j) => j.dedupeKey)).size !== jobs.length) throw new Error("insertJobs: dedupe keys must be distinct");
  const inserted = await db
    .insertInto("jobs")
    .values(jobs.map((job) => rowOf(job, iso(job.runAt ?? now), now)))
    .onConflict((oc) => oc.column("dedupe_key").where(sql.ref("status"), "=", sql.lit("pending")).doNothing())
    .returning(["id", "run_at", "dedupe_key"])
    .execute();
  const byKey = new Map(inserted.map((r) => [r.dedupe_key, { id: Number(r.id), created: true, runAt: r.run_at }]));
  const merged = jobs.filter((j) => !byKey.has(j.dedupeKey));
  if (merged.length) {
    const waiting = await db.selectFrom("jobs").select(["id", "run_at", "dedupe_key"]).where("dedupe_key", "in", merged.map((j) => j.dedupeKey)).where("status", "=", "pending").execute();
    for (const w of waiting) byKey.set(w.dedupe_key, { id: Number(w.id), created: false, runAt: w.run_at });
  }
  const out: { id: number; created: boolean; runAt: string }[] = [];
  for (const job of jobs) out.push(byKey.get(job.dedupeKey) ?? (await insertJob(db, job, now)));
  return out;
}

function rowOf(job: NewJobRow, runAt: string, now: Date) {
  return {
    queue: job.queue,
    account_id: job.accountId ?? null,
    payload: JSON.stringify(job.payload ?? {}),
    dedupe_key: job.dedupeKey ?? null,
    status: "pending" as const,
    attempts: 0,
    max_attempts: job.maxAttempts ?? 10,
    run_at: runAt,
    created_at: iso(now),
    updated_at: iso(now),
  };
}

function tryInsertJob(db: Executor, job: NewJobRow, runAt: string, now: Date) {
  return db
    .insertInto("jobs")
    .values(rowOf(job, runAt, now))
    // The conflict target must restate the partial index's predicate literally (SQLite cannot match a bound parameter).
    .onConflict((oc) => oc.column("dedupe_key").where(sql.ref("status"), "=", sql.lit("pending")).doNothing())
    .returning(["id", "run_at"])
    .executeTakeFirst();
}

/**
 * One conditional UPDATE: of any number of workers triggered for the same row, exactly one claims
 * it. `claimToken` is unique per claim: only that claim may heartbeat or finish the row, so a run
 * that outlived its lock cannot overwrite the outcome of the run that replaced it. Undefined when
 * the row is not (any more) claimable, "blocked" when another row with the same dedupe key is
 * running (the unique index on running rows refuses the second).
 */
export async function claimJob(db: Executor, id: number, claimToken: string, now = new Date()): Promise<Job | "blocked" | undefined> {
  try {
    return (await claimJobs(db, [id], claimToken, now))[0];
  } catch (e) {
    if (isUniqueViolation(e)) return "blocked";
    throw e;
  }
}

/**
 * Claims many due pending rows with one statement (a batch runs under one claim token). Throws a
 * unique violation when any of them has a running twin: the caller then claims them one by one.
 */
export function claimJobs(db: Executor, ids: number[], claimToken: string, now = new Date()): Promise<Job[]> {
  return db
    .updateTable("jobs")
    .set((eb) => ({
      status: "running",
      attempts: eb("attempts", "+", 1),
      locked_at: iso(now),
      locked_by: claimToken,
      updated_at: iso(now),
    }))
    .where("id", "in", ids)
    .where("status", "=", "pending")
    .where("run_at", "<=", iso(now))
    .returningAll()
    .execute();
}

/** Marks a batch's rows done, where the claim is still the batch's. Returns how many were. */
export async function finishJobsDone(db: Executor, ids: number[], claimToken: string, now = new Date()): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable("jobs")
    .set({ status: "done", locked_at: null, locked_by: null, updated_at: iso(now), completed_at: iso(now), last_error: null, error_kind: null })
    .where("id", "in", ids)
    .where("status", "=", "running")
    .where("locked_by", "=", claimToken)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Gives back rows a batch claimed but did not start (the worker is stopping): pending again, the attempt not spent. */
export async function releaseUnstartedJobs(db: Executor, ids: number[], claimToken: string, now = new Date()): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable("jobs")
    .set((eb) => ({ status: "pending", attempts: eb("attempts", "-", 1), locked_at: null, locked_by: null, updated_at: iso(now), run_at: iso(now) }))
    .where("id", "in", ids)
    .where("status", "=", "running")
    .where("locked_by", "=", claimToken)
    .returning("id")
    .execute();
  return rows.map((r) => Number(r.id));
}

/** Keeps a batch's claims alive while its handler runs; how many are still held. */
export async function heartbeatJobs(db: Executor, ids: number[], claimToken: string, now = new Date()): Promise<number> {
  const r = await db.updateTable("jobs").set({ locked_at: iso(now) }).where("id", "in", ids).where("status", "=", "running").where("locked_by", "=", claimToken).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Keeps a claim alive while its handler runs; false when the claim was lost (released by a sweeper). */
export async function heartbeatJob(db: Executor, id: number, claimToken: string, now = new Date()): Promise<boolean> {
  const r = await db
    .updateTable("jobs")
    .set({ locked_at: iso(now) })
    .where("id", "=", id)
    .where("status", "=", "running")
    .where("locked_by", "=", claimToken)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function finishJob(
  db: Executor,
  id: number,
  claimToken: string,
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
    .where("locked_by", "=", claimToken)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Rows left `running` by a crashed worker go back to `pending` (or `failed` when out of attempts;
 * or `done`, merged, when the same work already waits in a twin row with their dedupe key).
 * Returns the ids that will now run that work (made pending again, or the waiting twins).
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
  // A row whose dedupe key already has a waiting twin (the same work asked for again while it ran)
  // cannot go back to pending (one pending row per key): it is merged into the twin, which runs the
  // work now. Sent back to pending it would break the unique index, fail every sweep from then on
  // and block the twin behind a row that never finishes.
  const twinned = await db
    .selectFrom("jobs as r")
    .innerJoin("jobs as p", (j) => j.onRef("p.dedupe_key", "=", "r.dedupe_key").on("p.status", "=", "pending"))
    .select(["r.id as id", "p.id as twinId"])
    .where("r.status", "=", "running")
    .where("r.locked_at", "<", cutoff)
    .execute();
  if (twinned.length) {
    await db
      .updateTable("jobs")
      .set({ status: "done", locked_at: null, locked_by: null, updated_at: iso(now), completed_at: iso(now), last_error: "worker stopped while running it; merged into the waiting job with the same dedupe key" })
      .where("id", "in", twinned.map((t) => Number(t.id)))
      .where("status", "=", "running")
      .execute();
    await db
      .updateTable("jobs")
      .set({ run_at: iso(now), updated_at: iso(now) })
      .where("id", "in", twinned.map((t) => Number(t.twinId)))
      .where("status", "=", "pending")
      .where("run_at", ">", iso(now))
      .execute();
  }
  const released = await db
    .updateTable("jobs")
    .set({ status: "pending", locked_at: null, locked_by: null, updated_at: iso(now), run_at: iso(now), last_error: "worker stopped while running it; retried" })
    .where("status", "=", "running")
    .where("locked_at", "<", cutoff)
    .returning("id")
    .execute();
  return [...twinned.map((t) => Number(t.twinId)), ...released.map((r) => Number(r.id))];
}

/** Pending rows that are due, in id order after `afterId` (for paging through a backlog). */
export async function dueJobs(db: Executor, limit: number, afterId = 0, now = new Date()): Promise<{ id: number; queue: string; attempts: number }[]> {
  const rows = await db
    .selectFrom("jobs")
    .select(["id", "queue", "attempts"])
    .where("status", "=", "pending")
    .where("run_at", "<=", iso(now))
    .where("id", ">", afterId)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), queue: r.queue, attempts: r.attempts }));
}

export interface JobCounts {
  queue: string;
  status: JobStatus;
  count: number;
}

/** Counts by queue and status: everything (operators), or one merchant's (their dashboard). */
export async function countJobs(db: Executor, filter: { accountId?: string; statuses?: JobStatus[] } = {}): Promise<JobCounts[]> {
  let q = db.selectFrom("jobs").select((eb) => ["queue", "status", eb.fn.countAll<number>().as("count")]);
  if (filter.accountId) q = q.where("account_id", "=", filter.accountId);
  if (filter.statuses) q = q.where("status", "in", filter.statuses);
  const rows = await q
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
