import type { BatchRunner, JobEngine } from "./engine.ts";
import type { JobName } from "./job-names.ts";

/** The embedded default: timers and a per-queue concurrency limit inside this process. */
export class InProcessEngine implements JobEngine {
  readonly kind = "in-process" as const;
  private run?: (id: number) => Promise<void>;
  private batch?: BatchRunner;
  private readonly maxBatch: number;
  private queues = new Set<JobName>();
  private concurrency = 1;
  private active = new Map<JobName, number>();
  private waiting = new Map<JobName, Set<number>>();
  private pumpScheduled = new Set<JobName>();
  private timers = new Set<NodeJS.Timeout>();
  private inFlight = new Set<Promise<void>>();
  private stopped = false;
  private foreground = 0;

  /** `maxBatch`: the most waiting rows of a batch queue handed over at once. */
  constructor(opts: { maxBatch?: number } = {}) {
    this.maxBatch = opts.maxBatch ?? 64;
  }

  /**
   * Where triggers for queues this engine does not run go (the job thread's channel, both ways);
   * without one they are left to the sweeper of whoever runs that queue.
   */
  forward?: (queue: JobName, id: number, attempt: number, delayMs: number) => void;

  async trigger(queue: JobName, id: number, attempt: number, delayMs: number): Promise<void> {
    if (this.stopped) return;
    if (!this.queues.has(queue) && this.forward) return this.forward(queue, id, attempt, delayMs);
    // Only a process that runs workers acts on triggers; others leave the row to the sweeper of
    // a worker process (with no Redis there is no channel between processes but the database).
    if (!this.run || !this.queues.has(queue)) return;
    if (delayMs > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.enqueueLocal(queue, id);
      }, delayMs);
      t.unref();
      this.timers.add(t);
    } else {
      this.enqueueLocal(queue, id);
    }
  }

  async startWorkers(queues: JobName[], run: (id: number) => Promise<void>, concurrency: number, batch?: BatchRunner): Promise<void> {
    this.run = run;
    this.batch = batch;
    this.concurrency = concurrency;
    for (const q of queues) this.queues.add(q);
  }

  async ping(): Promise<void> {}

  foregroundStarted(): void {
    this.foreground++;
  }

  foregroundEnded(): void {
    if (--this.foreground === 0) for (const q of this.waiting.keys()) this.pump(q);
  }

  async closeWorkers(waitMs?: number): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // Rows triggered but not started stay pending in the jobs table: the next start runs them.
    this.waiting.clear();
    await bounded(Promise.allSettled([...this.inFlight]), waitMs);
  }

  async stop(): Promise<void> {
    if (!this.stopped) await this.closeWorkers();
  }

  private enqueueLocal(queue: JobName, id: number) {
    let waiting = this.waiting.get(queue);
    if (!waiting) this.waiting.set(queue, (waiting = new Set()));
    waiting.add(id);
    // Pumped once the current turn of the event loop is done, so rows triggered together (a
    // batch of recorded webhooks, the follow-ups of a batch of orders) start together.
    if (this.pumpScheduled.has(queue)) return;
    this.pumpScheduled.add(queue);
    setImmediate(() => {
      this.pumpScheduled.delete(queue);
      this.pump(queue);
    });
  }

  /**
   * Recording webhooks comes first (see foregroundStarted), then allocation: while rows of an allocating queue wait, every other queue runs at most
   * one batch at a time (never none, so nothing starves). Under a burst of paid orders the keys
   * are claimed as fast as the machine allows, and write-back, email and stock sync catch up with
   * the CPU that is left, then at full speed once the burst is over.
   */
  private limitOf(queue: JobName): number {
    // Requests come before any job: while webhooks are being recorded, each queue keeps at most
    // one batch going (enough that nothing stops), so the recording waits for little.
    // The allocating queue keeps two: one batch may wait for the host (Shopify's risk, read
    // before its transaction) while the other writes, so that wait is not on every batch's path.
    if (this.foreground > 0) return FIRST.has(queue) ? Math.min(2, this.concurrency) : 1;
    if (FIRST.has(queue)) return this.concurrency;
    for (const q of FIRST) if ((this.waiting.get(q)?.size ?? 0) > 0) return 1;
    return this.concurrency;
  }

  private pump(queue: JobName) {
    const waiting = this.waiting.get(queue);
    // A queue with a batch handler counts batches against its limit. One without (its handler
    // calls a host per row) counts rows: a batch of them shares one claim but never runs more
    // rows at once than the limit allows.
    const byRow = !!this.batch && !this.batch.queues.includes(queue);
    for (;;) {
      const active = this.active.get(queue) ?? 0;
      const limit = this.limitOf(queue);
      const room = limit - active;
      if (this.stopped || !waiting || waiting.size === 0 || room <= 0) return;
      // Rows that waited together go together (one claim, one finish): the first row of a quiet
      // queue still starts at once, alone; under load the waiting rows share the work. A batch of
      // host-calling rows (no batch handler) runs `room` of them at a time and counts as that many.
      let ids: number[];
      let weight = 1;
      let rowsAtOnce = 1;
      if (!this.batch) {
        ids = take(waiting, 1);
      } else if (!byRow) {
        ids = take(waiting, this.maxBatch);
      } else {
        ids = take(waiting, room === limit ? this.maxBatch : room);
        rowsAtOnce = weight = Math.min(room, ids.length);
      }
      this.active.set(queue, active + weight);
      const p = (ids.length > 1 ? this.batch!.run(queue, ids, rowsAtOnce) : this.run!(ids[0]))
        .catch(() => {})
        .finally(() => {
          this.inFlight.delete(p);
          this.active.set(queue, (this.active.get(queue) ?? weight) - weight);
          this.pump(queue);
          // The allocating queue drained: the others may take their full share again.
          if (FIRST.has(queue) && (this.waiting.get(queue)?.size ?? 0) === 0) for (const q of this.waiting.keys()) if (!FIRST.has(q)) this.pump(q);
        });
      this.inFlight.add(p);
    }
  }
}

function bounded(p: Promise<unknown>, ms: number | undefined): Promise<unknown> {
  if (ms === undefined) return p;
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

/** The queues that claim keys for paid orders. */
const FIRST: ReadonlySet<JobName> = new Set<JobName>(["process-event", "fill-backorders"]);

/** Removes and returns the first `n` of a set, in insertion (trigger) order. */
function take(set: Set<number>, n: number): number[] {
  const out: number[] = [];
  for (const id of set) {
    if (out.length === n) break;
    out.push(id);
  }
  for (const id of out) set.delete(id);
  return out;
}
