import type { JobName } from "./job-names.ts";

/**
 * An engine only triggers work that a jobs row already records. Losing a trigger (a restart, a
 * lost Redis message) delays a job until the sweeper re-triggers it; it never loses it.
 */
export interface JobEngine {
  readonly kind: "in-process" | "bullmq";
  /** Ask a worker to run row `id` after `delayMs`. `attempt` makes the trigger idempotent per attempt. */
  trigger(queue: JobName, id: number, attempt: number, delayMs: number): Promise<void>;
  /**
   * Start consuming triggers for these queues; `run` claims and executes the row. An engine may
   * hand rows of one of `batch.queues` that wait together to `batch.run` instead (the in-process engine does).
   */
  startWorkers(queues: JobName[], run: (id: number) => Promise<void>, concurrency: number, batch?: BatchRunner): Promise<void>;
  ping(): Promise<void>;
  /** The engine's own backlog per queue, where it keeps one apart from the jobs table (BullMQ: Redis). */
  queueStats?(): Promise<EngineQueueStats[]>;
  /**
   * Work this process answers requests with (recording webhooks) is under way from `start` to
   * `end`: an engine running jobs in the same process lets it go first.
   */
  foregroundStarted?(): void;
  foregroundEnded?(): void;
  /**
   * Row `id` was released by a stopping worker: have another worker take it now (BullMQ: a new
   * BullMQ job, the released attempt's own still being active in Redis). Without it the row waits
   * for a sweeper (the in-process engine: the next start).
   */
  retrigger?(queue: JobName, id: number): Promise<void>;
  /**
   * Takes no more jobs and waits for the running ones, at most `waitMs` (a shutdown's limit);
   * connections stay open for a retrigger until `stop`.
   */
  closeWorkers(waitMs?: number): Promise<void>;
  /** closeWorkers (unless done already), then drops connections. */
  stop(): Promise<void>;
}

export interface BatchRunner {
  /** The queues that take batches (a batch handler is registered). */
  queues: JobName[];
  /** `rowsAtOnce`: for a queue without a batch handler, how many of the rows may run at the same time. */
  run(queue: JobName, ids: number[], rowsAtOnce: number): Promise<void>;
}

export interface EngineQueueStats {
  queue: JobName;
  waiting: number;
  delayed: number;
  active: number;
  /** How long the oldest waiting job has waited, in seconds (0: none waiting). */
  oldestWaitingAgeSeconds: number;
}
