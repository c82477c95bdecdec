import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "../logger.ts";
import type { BatchRunner, EngineQueueStats, JobEngine } from "./engine.ts";
import { JOB_NAMES, type JobName } from "./job-names.ts";

/** How many BullMQ jobs of a batch queue a worker takes at once (they are run as batches). */
const BATCH_JOBS_AT_ONCE = 64;

/**
 * How many BullMQ jobs of a row-by-row queue (write-back, email, …) a worker holds at once: a few
 * batches' worth of its concurrency, so the next batch is ready when one ends, but not so many that
 * one worker hoards a queue's backlog while another worker process sits idle.
 */
const rowJobsAtOnce = (concurrency: number) => Math.min(BATCH_JOBS_AT_ONCE, concurrency * 4);

/** BullMQ's lock on a job a worker took, renewed at half this while it runs, and how often lapsed ones are looked for. */
const STALLED_LOCK_MS = 10_000;
const STALLED_CHECK_MS = 5_000;

/** How long a trigger may wait on Redis before the request moves on (the sweeper re-triggers). */
export const TRIGGER_TIMEOUT_MS = 500;

/**
 * Scale-out: BullMQ on Redis carries triggers between any number of web and worker processes.
 * Retries are decided by the jobs row, not by BullMQ, so a BullMQ job is one attempt of one row.
 */
export class BullMqEngine implements JobEngine {
  readonly kind = "bullmq" as const;
  private readonly producer: Redis;
  private readonly queues = new Map<JobName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];

  private readonly url: string;
  private readonly log: Logger;
  private readonly prefix: string;

  constructor(url: string, log: Logger, prefix = "keyrelay") {
    this.url = url;
    this.log = log;
    this.prefix = prefix;
    // Fail fast when Redis is away: the row is already written and the sweeper will re-trigger,
    // so a webhook must not wait on an offline queue.
    this.producer = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000 });
    this.producer.on("error", (e) => this.log.warn({ err: e.message }, "redis producer connection error"));
    // Create every queue now, so the first trigger of a queue does not wait on its setup.
    for (const name of JOB_NAMES) this.queue(name);
  }

  private queue(name: JobName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.producer, prefix: this.prefix });
      q.on("error", (e) => this.log.warn({ err: e.message, queue: name }, "bullmq queue error"));
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * Never waits on Redis longer than TRIGGER_TIMEOUT_MS and never throws: a webhook answers in
   * time while Redis is down or still starting, and the row waits for the sweeper.
   */
  async trigger(queue: JobName, id: number, attempt: number, delayMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), TRIGGER_TIMEOUT_MS);
      timer.unref();
    });
    const added = this.add(queue, id, attempt, delayMs).catch((e: Error) => e);
    const result = await Promise.race([added, timeout]);
    clearTimeout(timer);
    if (result === "timeout") this.log.warn({ jobId: id, queue }, "Redis did not take the trigger in time; the sweeper will retry");
    else if (result instanceof Error) this.log.warn({ err: result.message, jobId: id, queue }, "could not trigger job in Redis; the sweeper will retry");
  }

  private async add(queue: JobName, id: number, attempt: number, delayMs: number): Promise<void> {
    await this.queue(queue).add(
      "run",
      { jobId: id },
      {
        // One BullMQ job per row attempt: duplicate triggers of the same attempt collapse.
        jobId: `row-${id}-attempt-${attempt}`,
        delay: Math.max(0, Math.round(delayMs)),
        attempts: 1,
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /**
   * A released row gets a BullMQ job of its own: its attempt's job is still active in Redis (held
   * by the stopping worker until its lock expires), so a trigger under that id would collapse into
   * it. Waits longer than a webhook's trigger may (a shutdown is not answering anyone); if Redis
   * does not take it, the stale job's lock expires and BullMQ hands it on (about 30 s).
   */
  async retrigger(queue: JobName, id: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(() => {
      this.log.warn({ jobId: id, queue }, "Redis did not take a released job's re-trigger in time; it is handed on when its lock expires");
      r();
    }, 3_000)));
    const added = this.queue(queue)
      .add("run", { jobId: id }, { jobId: `row-${id}-released-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, attempts: 1, removeOnComplete: true, removeOnFail: true })
      .then(() => undefined)
      .catch((e: Error) => this.log.warn({ err: e.message, jobId: id, queue }, "could not re-trigger a released job; the sweeper will"));
    await Promise.race([added, timeout]);
    clearTimeout(timer);
  }

  async startWorkers(queues: JobName[], run: (id: number) => Promise<void>, concurrency: number, batch?: BatchRunner): Promise<void> {
    for (const name of queues) {
      const connection = new Redis(this.url, { maxRetriesPerRequest: null });
      connection.on("error", (e) => this.log.warn({ err: e.message }, "redis worker connection error"));
      this.workerConnections.push(connection);
      // Every queue collects the BullMQ jobs that arrive together and runs their rows as one batch
      // (one claim and one finish statement, as the in-process engine does): a burst costs a few
      // round trips per batch, not per order. A queue with a batch handler (process-event) runs
      // batches side by side; one without (its handler calls a host per row) runs one batch at a
      // time, `concurrency` rows of it at once.
      const batched = batch?.queues.includes(name);
      const process = !batch ? (id: number) => run(id) : batched ? this.collector(name, batch) : this.rowCollector(name, batch, concurrency);
      const w = new Worker(name, async (job) => process(Number(job.data.jobId)), {
        connection,
        concurrency: !batch ? concurrency : batched ? BATCH_JOBS_AT_ONCE : rowJobsAtOnce(concurrency),
        prefix: this.prefix,
        // A worker killed with triggers in hand (taken from Redis, rows not yet claimed) holds them
        // until BullMQ sees the lock lapse: the sweeper's re-trigger has the same BullMQ job id and
        // collapses onto them. BullMQ's defaults (30 s lock, 30 s check) made that up to a minute;
        // these make it ~15 s. A lapsed lock on a live run is harmless: the row's claim decides.
        lockDuration: STALLED_LOCK_MS,
        stalledInterval: STALLED_CHECK_MS,
      });
      w.on("error", (e) => this.log.warn({ err: e.message, queue: name }, "bullmq worker error"));
      this.workers.push(w);
    }
    // Workers connect in the background; with Redis away they wait for it while the sweeper and
    // the HTTP server carry on.
  }

  /** Rows handed over within one turn of the event loop go to `batch.run` together; each job settles with its batch. */
  private collector(queue: JobName, batch: BatchRunner): (id: number) => Promise<void> {
    let pending: { id: number; done: () => void }[] = [];
    const flush = () => {
      const group = pending;
      pending = [];
      void batch
        .run(queue, group.map((g) => g.id), 1)
        .catch((e: Error) => this.log.warn({ err: e.message, queue }, "batch failed; its rows wait for the sweeper"))
        .finally(() => group.forEach((g) => g.done()));
    };
    return (id) =>
      new Promise<void>((done) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ id, done });
      });
  }

  /**
   * For a queue whose handler runs row by row: one batch at a time, the rows that arrived while
   * it ran forming the next one, at most `concurrency` rows running at once (what the in-process
   * engine allows a queue). BullMQ holds the rows waiting for the next batch as active jobs,
   * their locks renewed, so at most rowJobsAtOnce rows are taken from Redis by one worker.
   */
  private rowCollector(queue: JobName, batch: BatchRunner, concurrency: number): (id: number) => Promise<void> {
    let pending: { id: number; done: () => void }[] = [];
    let running = false;
    let scheduled = false;
    const schedule = () => {
      if (scheduled || running || pending.length === 0) return;
      scheduled = true;
      setImmediate(flush);
    };
    const flush = () => {
      scheduled = false;
      const group = pending;
      pending = [];
      running = true;
      void batch
        .run(queue, group.map((g) => g.id), concurrency)
        .catch((e: Error) => this.log.warn({ err: e.message, queue }, "batch failed; its rows wait for the sweeper"))
        .finally(() => {
          running = false;
          group.forEach((g) => g.done());
          schedule();
        });
    };
    return (id) =>
      new Promise<void>((done) => {
        pending.push({ id, done });
        schedule();
      });
  }

  /** For the metrics scrape: a count per state and the oldest waiting job, per queue (two commands each). */
  async queueStats(): Promise<EngineQueueStats[]> {
    const now = Date.now();
    return Promise.all(
      [...this.queues].map(async ([queue, q]) => {
        const [counts, oldest] = await Promise.all([q.getJobCounts("waiting", "delayed", "active"), q.getJobs(["waiting"], 0, 0, true)]);
        const at = oldest[0]?.timestamp;
        return { queue, waiting: counts.waiting ?? 0, delayed: counts.delayed ?? 0, active: counts.active ?? 0, oldestWaitingAgeSeconds: at ? Math.max(0, (now - at) / 1000) : 0 };
      }),
    );
  }

  async ping(): Promise<void> {
    if (this.producer.status !== "ready") throw new Error(`Redis connection is ${this.producer.status}`);
    const pong = await this.producer.ping();
    if (pong !== "PONG") throw new Error(`unexpected Redis reply ${pong}`);
  }

  private workersClosed?: Promise<void>;

  /**
   * Lets running jobs finish (up to `waitMs`, 10 s unless a shutdown says otherwise). A worker
   * that never reached Redis would wait for it forever on a plain close, so the wait is bounded;
   * a job still running then keeps its BullMQ lock until it expires (its row is released by the
   * job queue and re-triggered, see retrigger).
   */
  closeWorkers(waitMs = 10_000): Promise<void> {
    return (this.workersClosed ??= bounded(Promise.allSettled(this.workers.map((w) => w.close(this.producer.status !== "ready"))), waitMs).then(() => undefined));
  }

  /** Closes the workers (unless done already), then drops the connections. */
  async stop(): Promise<void> {
    await this.closeWorkers();
    for (const c of this.workerConnections) c.disconnect();
    await bounded(Promise.allSettled([...this.queues.values()].map((q) => q.close())), 2_000);
    this.producer.disconnect();
  }
}

function bounded(p: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}
