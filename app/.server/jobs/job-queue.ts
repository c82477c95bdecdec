import crypto from "node:crypto";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Kysely } from "kysely";
import {
  claimJob,
  claimJobs,
  dueJobs,
  finishJob,
  finishJobsDone,
  getJob,
  heartbeatJob,
  heartbeatJobs,
  releaseUnstartedJobs,
  insertJob,
  releaseStaleJobs,
  insertJobs,
  type Executor,
  type NewJobRow,
} from "../db/repositories/job-rows.ts";
import { withBatchReads } from "../db/batch-reads.ts";
import { isUniqueViolation } from "../db/errors.ts";
import type { Database, Job } from "../db/schema.ts";
import { errorKindOf, PermanentError, RetryableError } from "../domain/errors.ts";
import { outcomeOfFailure } from "../domain/job-retry.ts";
import type { Logger } from "../logger.ts";
import type { MetricsRecorder } from "../metrics/metrics-port.ts";
import type { JobEngine } from "./engine.ts";
import { JOB_NAMES, type JobName, type JobPayloads } from "./job-names.ts";
import { runAtMost } from "./run-at-most.ts";

export interface JobContext {
  jobId: number;
  attempt: number;
  log: Logger;
  /** Aborted when this run lost its claim (it ran past the lock timeout and was handed on). */
  signal: AbortSignal;
}

const SWEEP_PAGE = 500;
/** How soon a job whose twin was running is looked at again. */
const BLOCKED_RETRY_MS = 1_000;

export type JobHandler<N extends JobName> = (payload: JobPayloads[N], ctx: JobContext) => Promise<void>;

export interface BatchItem<N extends JobName> {
  jobId: number;
  attempt: number;
  payload: JobPayloads[N];
}

/**
 * Runs many claimed rows of one queue at once (under load, rows that waited together share one
 * transaction). Returns each failed row's error; rows not in the map are done.
 */
export type BatchJobHandler<N extends JobName> = (items: BatchItem<N>[], ctx: Omit<JobContext, "jobId" | "attempt">) => Promise<Map<number, unknown>>;

/**
 * Recording a run's outcome is retried a few times before giving up: a row whose outcome could not
 * be written stays `running` until the sweeper's lock timeout (minutes), and the work itself is
 * already done. (Seen on SQLite when another process held the write lock past busy_timeout.)
 */
async function bookkeeping<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (attempt >= BOOKKEEPING_RETRY_MS.length || errorKindOf(e) !== "retryable") throw e;
      await sleep(BOOKKEEPING_RETRY_MS[attempt]);
    }
  }
}

const BOOKKEEPING_RETRY_MS = [50, 250, 1_000, 4_000];

/** Marks a row a stopping worker did not start (it goes back to pending). */
const NOT_STARTED = Symbol("not started");

/** What a stop did with the jobs this process had in hand when it began. */
export interface StopReport {
  inHand: number;
  finished: number;
  released: number;
}

/** The row a request to run `name` writes (stage and stageMany). */
function newRow(name: JobName, payload: unknown, opts: EnqueueOptions): NewJobRow {
  return { queue: name, accountId: opts.accountId, payload, dedupeKey: opts.dedupeKey, maxAttempts: opts.maxAttempts, runAt: opts.delayMs ? new Date(Date.now() + opts.delayMs) : undefined };
}

export interface EnqueueOptions {
  /** The merchant the work is for (their dashboard counts it). */
  accountId?: string;
  /** Merges this request into a waiting (pending) job with the same key. */
  dedupeKey?: string;
  delayMs?: number;
  maxAttempts?: number;
}

export interface StagedJob {
  id: number;
  queue: JobName;
  runAt: string;
}

/**
 * One job API over two engines. `enqueue` writes the row and triggers it; `stage` writes the row
 * inside the caller's transaction (outbox) and the caller calls `trigger` after commit.
 */
export class JobQueue {
  private readonly handlers = new Map<JobName, JobHandler<any>>();
  private readonly batchHandlers = new Map<JobName, BatchJobHandler<any>>();
  private readonly workerId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;
  private stopping = false;
  private stopped?: Promise<StopReport>;
  /** The claims this process holds right now (token → rows, and the handler's abort): what a shutdown waits for or releases. */
  private readonly inHand = new Map<string, { queue: JobName; ids: number[]; lost: AbortController; done: Promise<void> }>();

  private readonly db: Kysely<Database>;
  readonly engine: JobEngine;
  private readonly log: Logger;
  private readonly opts: { concurrency: number; sweepIntervalMs: number; lockTimeoutMs: number };
  private readonly metrics?: Pick<MetricsRecorder, "jobFailed" | "jobRowWritten">;

  constructor(db: Kysely<Database>, engine: JobEngine, log: Logger, opts: JobQueue["opts"], metrics?: Pick<MetricsRecorder, "jobFailed" | "jobRowWritten">) {
    this.db = db;
    this.engine = engine;
    this.log = log;
    this.opts = opts;
    this.metrics = metrics;
  }

  register<N extends JobName>(name: N, handler: JobHandler<N>): void {
    this.handlers.set(name, handler);
  }

  /** A queue may also take rows in batches (the in-process engine hands it rows that waited together; BullMQ workers collect the jobs that arrive together). */
  registerBatch<N extends JobName>(name: N, handler: BatchJobHandler<N>): void {
    this.batchHandlers.set(name, handler);
  }

  async stage<N extends JobName>(trx: Executor, name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<StagedJob> {
    const { id, runAt, created } = await insertJob(trx, newRow(name, payload, opts));
    if (created) this.metrics?.jobRowWritten(name);
    return { id, queue: name, runAt };
  }

  /**
   * Several keyed rows staged in one statement (an order's write-back and email): as `stage` for
   * each, merged into a waiting twin by its dedupe key.
   */
  async stageMany(trx: Executor, jobs: { [N in JobName]: { name: N; payload: JobPayloads[N]; opts: EnqueueOptions & { dedupeKey: string } } }[JobName][]): Promise<StagedJob[]> {
    const rows = await insertJobs(trx, jobs.map((j) => ({ ...newRow(j.name, j.payload, j.opts), dedupeKey: j.opts.dedupeKey })));
    return rows.map((r, i) => {
      if (r.created) this.metrics?.jobRowWritten(jobs[i].name);
      return { id: r.id, queue: jobs[i].name, runAt: r.runAt };
    });
  }

  /**
   * Runs `work` ahead of this process's jobs: while it is under way the in-process engine starts
   * no more than one batch per queue (recording webhooks: the hosts wait for the answer).
   */
  async foreground<T>(work: () => Promise<T>): Promise<T> {
    this.engine.foregroundStarted?.();
    try {
      return await work();
    } finally {
      this.engine.foregroundEnded?.();
    }
  }

  /** Triggers staged rows once their transaction has committed. Never throws: the sweeper is the safety net. */
  async trigger(jobs: StagedJob[]): Promise<void> {
    await Promise.all(
      jobs.map((j) => this.engine.trigger(j.queue, j.id, 0, Math.max(0, Date.parse(j.runAt) - Date.now())).catch(() => {})),
    );
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<StagedJob> {
    const staged = await this.stage(this.db, name, payload, opts);
    await this.trigger([staged]);
    return staged;
  }

  /** Claims row `id` and runs its handler; applies the error kind's outcome. Safe to call twice. */
  async runJob(id: number): Promise<void> {
    const token = `${this.workerId}:${crypto.randomBytes(6).toString("hex")}`;
    const job = await claimJob(this.db, id, token);
    if (job === "blocked") {
      // Its twin (same dedupe key) is running: look again shortly; the sweeper is the safety net.
      const row = await getJob(this.db, id);
      if (row) await this.engine.trigger(row.queue as JobName, id, row.attempts, BLOCKED_RETRY_MS).catch(() => {});
      return;
    }
    if (!job) return;
    const queue = job.queue as JobName;
    const log = this.log.child({ jobId: id, queue, attempt: job.attempts });
    const handler = this.handlers.get(queue);
    if (!handler) {
      await finishJob(this.db, id, token, { status: "failed", error: `no handler registered for ${queue}`, errorKind: "permanent" });
      log.error("job parked: no handler");
      return;
    }
    const claim = this.keepClaimed(() => heartbeatJob(this.db, id, token), "lost the job's claim");
    const release = this.holdInHand(token, queue, [id], claim.controller);
    try {
      await handler(JSON.parse(job.payload), { jobId: id, attempt: job.attempts, log, signal: claim.signal });
      claim.stop();
      await this.finishLogged(id, token, { status: "done" }, log);
    } catch (error) {
      claim.stop();
      await this.settleFailure(job, token, error, log);
    } finally {
      release();
    }
  }

  /** Marks rows as in hand until the returned function is called; stop() waits on them (see stopNow). */
  private holdInHand(token: string, queue: JobName, ids: number[], lost: AbortController): () => void {
    let settle = () => {};
    const done = new Promise<void>((r) => (settle = r));
    this.inHand.set(token, { queue, ids, lost, done });
    return () => {
      this.inHand.delete(token);
      settle();
    };
  }

  /**
   * While a handler runs, keeps its claim fresh so the sweeper does not hand the row(s) to another
   * worker; if the claim is lost anyway (a long pause), the signal tells the handler to stop.
   */
  private keepClaimed(heartbeat: () => Promise<boolean>, lostMessage: string): { signal: AbortSignal; controller: AbortController; stop(): void } {
    const lost = new AbortController();
    const timer = setInterval(() => {
      heartbeat()
        .then((held) => {
          if (!held) lost.abort(new Error(lostMessage));
        })
        .catch(() => {});
    }, Math.max(50, Math.floor(this.opts.lockTimeoutMs / 3)));
    timer.unref();
    return { signal: lost.signal, controller: lost, stop: () => clearInterval(timer) };
  }

  /** Applies a row's outcome if this claim still holds it; says so in the log when it does not. */
  private async finishLogged(id: number, token: string, result: Parameters<typeof finishJob>[3], log: Logger, now?: Date): Promise<boolean> {
    const applied = await bookkeeping(() => finishJob(this.db, id, token, result, now));
    if (!applied) log.warn({ outcome: result.status }, "job outcome discarded: its claim was taken over by another run");
    return applied;
  }

  /** A failed run's outcome by its error's kind: retry later, park as failed, or done (ignored). */
  private async settleFailure(job: Job, token: string, error: unknown, log: Logger): Promise<void> {
    const id = Number(job.id);
    const queue = job.queue as JobName;
    // One clock reading for the row's updated_at and its retry time: the delay recorded is exact.
    const now = new Date();
    const finish = (result: Parameters<typeof finishJob>[3]) => this.finishLogged(id, token, result, log, now);
    const kind = errorKindOf(error);
    const message = error instanceof Error ? error.message : String(error);
    const outcome = outcomeOfFailure(kind, job.attempts, job.max_attempts, {
      retryAfterMs: error instanceof RetryableError ? error.retryAfterMs : undefined,
    });
    if (outcome.status === "pending") {
      if (await finish({ status: "pending", error: message, errorKind: kind, runAt: new Date(now.getTime() + outcome.delayMs) })) {
        this.metrics?.jobFailed(queue, "retry");
        log.warn({ err: message, kind, retryInMs: outcome.delayMs }, "job failed; will retry");
        await this.engine.trigger(queue, id, job.attempts, outcome.delayMs).catch(() => {});
      }
    } else if (outcome.status === "failed") {
      if (await finish({ status: "failed", error: message, errorKind: kind })) {
        this.metrics?.jobFailed(queue, "parked");
        log.error({ err: message, kind }, "job parked as failed");
      }
    } else if (await finish({ status: "done", note: message, errorKind: kind })) {
      log.info({ reason: message }, "job ignored");
    }
  }

  /**
   * Claims rows `ids` of one queue with one statement and runs them through the queue's batch
   * handler (or, without one, its handler row by row, `rowsAtOnce` at a time); the rows that
   * succeeded are finished with one statement, and each failure gets runJob's outcome. When a row
   * has a running twin the claim fails on the unique index and the rows run one by one.
   */
  async runJobs(queue: JobName, ids: number[], rowsAtOnce = this.opts.concurrency): Promise<void> {
    if (ids.length === 1) return this.runJob(ids[0]);
    const handler = this.batchHandlers.get(queue) ?? this.rowByRow(queue, rowsAtOnce);
    const token = `${this.workerId}:${crypto.randomBytes(6).toString("hex")}`;
    let jobs: Job[];
    try {
      jobs = await claimJobs(this.db, ids, token);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      for (const id of ids) await this.runJob(id);
      return;
    }
    if (jobs.length === 0) return;
    // Oldest first (Postgres returns updated rows in no particular order).
    jobs.sort((a, b) => Number(a.id) - Number(b.id));
    const claimed = jobs.map((j) => Number(j.id));
    const log = this.log.child({ queue, batch: claimed.length });
    const claim = this.keepClaimed(async () => (await heartbeatJobs(this.db, claimed, token)) === claimed.length, "lost a batch job's claim");
    const release = this.holdInHand(token, queue, claimed, claim.controller);
    try {
      await this.runClaimedBatch(handler, jobs, claimed, token, claim, log);
    } finally {
      release();
    }
  }

  private async runClaimedBatch(handler: BatchJobHandler<JobName>, jobs: Job[], claimed: number[], token: string, claim: { signal: AbortSignal; stop(): void }, log: Logger): Promise<void> {
    let failures: Map<number, unknown>;
    try {
      // The batch's rows share their reads of stores and accounts (one round trip each per batch).
      failures = await withBatchReads(() =>
        handler(
          jobs.map((j) => ({ jobId: Number(j.id), attempt: j.attempts, payload: JSON.parse(j.payload) })),
          { log, signal: claim.signal },
        ),
      );
    } catch (error) {
      failures = new Map(claimed.map((id) => [id, error]));
    } finally {
      claim.stop();
    }
    const released = await bookkeeping(() => releaseUnstartedJobs(this.db, claimed.filter((id) => failures.get(id) === NOT_STARTED), token));
    // Given back by a stopping worker: another worker takes them now (BullMQ), or the next start does.
    for (const id of released) await this.engine.retrigger?.(jobs[0].queue as JobName, id).catch(() => {});
    const done = claimed.filter((id) => !failures.has(id));
    const finished = await bookkeeping(() => finishJobsDone(this.db, done, token));
    if (finished < done.length) log.warn({ outcome: "done", lost: done.length - finished }, "batch outcome partly discarded: claims were taken over by another run");
    for (const job of jobs) {
      const failure = failures.get(Number(job.id));
      if (failures.has(Number(job.id)) && failure !== NOT_STARTED) await this.settleFailure(job, token, failure, log.child({ jobId: Number(job.id), attempt: job.attempts }));
    }
  }

  /**
   * A queue without a batch handler (its handler calls a host per row) still shares one claim and
   * one finish per batch, but runs its rows at most `rowsAtOnce` at a time (the engine counts them
   * against the queue's limit), and a worker that is stopping starts no more of them: the rows
   * not started go back to pending, their attempt not spent. Rows stay `running` until the batch
   * ends; each handler is idempotent per row (a write-back or an email is keyed by its content), so
   * a crash in between repeats nothing the host or the buyer sees twice.
   */
  private rowByRow(queue: JobName, rowsAtOnce: number): BatchJobHandler<JobName> {
    return async (items, ctx) => {
      const handler = this.handlers.get(queue);
      const failures = new Map<number, unknown>();
      await runAtMost(items, rowsAtOnce, async ({ jobId, attempt, payload }) => {
        if (this.stopping) failures.set(jobId, NOT_STARTED);
        else if (!handler) failures.set(jobId, new PermanentError("no_handler", `no handler registered for ${queue}`));
        else await handler(payload, { jobId, attempt, log: ctx.log.child({ jobId, attempt }), signal: ctx.signal }).catch((e: unknown) => failures.set(jobId, e));
      });
      return failures;
    };
  }

  /** Starts consuming triggers and the sweeper. Only processes with the worker role call this. */
  async startWorkers(queues: JobName[] = JOB_NAMES): Promise<void> {
    await this.engine.startWorkers(queues, (id) => this.runJob(id), this.opts.concurrency, this.batchRunner());
    await this.sweep();
    this.sweepTimer = setInterval(() => {
      if (!this.sweeping) this.sweeping = this.sweep().finally(() => (this.sweeping = undefined));
    }, this.opts.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  private batchRunner() {
    return { queues: [...this.batchHandlers.keys()], run: (queue: JobName, ids: number[], rowsAtOnce: number) => this.runJobs(queue, ids, rowsAtOnce) };
  }

  /** Takes over more queues in a process already running workers (the job thread stopped). */
  async adoptQueues(queues: JobName[]): Promise<void> {
    await this.engine.startWorkers(queues, (id) => this.runJob(id), this.opts.concurrency, this.batchRunner());
    await this.sweep();
  }

  /** Re-triggers due rows and releases rows left running by a crashed worker. */
  async sweep(): Promise<{ released: number; triggered: number }> {
    try {
      // A failed release must not stop due rows from being triggered: it is tried again next sweep.
      const released = await releaseStaleJobs(this.db, this.opts.lockTimeoutMs).catch((e: Error) => {
        this.log.warn({ err: e.message }, "releasing jobs left running failed; will try again");
        return [];
      });
      if (released.length) this.log.warn({ count: released.length }, "released jobs left running by a stopped worker");
      // Drain in pages, so a backlog after an outage is re-triggered in one sweep, not 500 per interval.
      let triggered = 0;
      let afterId = 0;
      for (;;) {
        const due = await dueJobs(this.db, SWEEP_PAGE, afterId);
        await Promise.all(due.map((j) => this.engine.trigger(j.queue as JobName, j.id, j.attempts, 0).catch(() => {})));
        triggered += due.length;
        if (due.length < SWEEP_PAGE) break;
        afterId = due[due.length - 1].id;
      }
      return { released: released.length, triggered };
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, "job sweep failed; will try again");
      return { released: 0, triggered: 0 };
    }
  }

  /**
   * Stops taking jobs; the jobs in hand get `limitMs` to finish (default: as long as the engine
   * waits). Those still running then are released: back to pending with their attempt not spent,
   * their handlers told to stop (the claim's signal), and re-triggered so another worker takes
   * them at once (BullMQ) or the next start does (in-process). Every handler is idempotent per row
   * (a write-back or an email is keyed by its content; see rowByRow), so a run cut short and run
   * again repeats nothing the host or the buyer sees twice. Safe to call twice (same report).
   */
  stop(opts: { limitMs?: number } = {}): Promise<StopReport> {
    return (this.stopped ??= this.stopNow(opts.limitMs));
  }

  private async stopNow(limitMs?: number): Promise<StopReport> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const inHandAtStop = [...this.inHand.values()].reduce((n, c) => n + c.ids.length, 0);
    await this.sweeping;
    const startedAt = Date.now();
    await this.engine.closeWorkers(limitMs);
    // Rows run outside the engine's workers (runJob / runJobs called directly) are waited for
    // too, within what is left of the same limit.
    const handling = Promise.allSettled([...this.inHand.values()].map((c) => c.done));
    if (limitMs === undefined) await handling;
    else await waitAtMost(handling, Math.max(0, limitMs - (Date.now() - startedAt)));
    const left = [...this.inHand.entries()];
    let released = 0;
    for (const [token, c] of left) {
      const ids = await releaseUnstartedJobs(this.db, c.ids, token).catch((e: Error) => {
        this.log.error({ err: e.message, queue: c.queue }, "could not release jobs in hand; the sweeper will after the lock timeout");
        return [] as number[];
      });
      released += ids.length;
      c.lost.abort(new Error("released at shutdown"));
      for (const id of ids) await this.engine.retrigger?.(c.queue, id).catch(() => {});
    }
    // A handler still running after its release is not waited for: the process is stopping.
    await this.engine.stop();
    return { inHand: inHandAtStop, finished: Math.max(0, inHandAtStop - released), released };
  }
}

function waitAtMost(p: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}
