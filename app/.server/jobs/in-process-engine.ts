import type { JobEngine } from "./engine.ts";
import type { JobName } from "./job-names.ts";

/** The embedded default: timers and a per-queue concurrency limit inside this process. */
export class InProcessEngine implements JobEngine {
  readonly kind = "in-process" as const;
  private run?: (id: number) => Promise<void>;
  private queues = new Set<JobName>();
  private concurrency = 1;
  private active = new Map<JobName, number>();
  private waiting = new Map<JobName, number[]>();
  private timers = new Set<NodeJS.Timeout>();
  private inFlight = new Set<Promise<void>>();
  private stopped = false;

  async trigger(queue: JobName, id: number, _attempt: number, delayMs: number): Promise<void> {
    // Only a process that runs workers acts on triggers; others leave the row to the sweeper of
    // a worker process (with no Redis there is no channel between processes but the database).
    if (!this.run || !this.queues.has(queue) || this.stopped) return;
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

  async startWorkers(queues: JobName[], run: (id: number) => Promise<void>, concurrency: number): Promise<void> {
    this.run = run;
    this.concurrency = concurrency;
    for (const q of queues) this.queues.add(q);
  }

  async ping(): Promise<void> {}

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private enqueueLocal(queue: JobName, id: number) {
    const list = this.waiting.get(queue) ?? [];
    if (!list.includes(id)) list.push(id);
    this.waiting.set(queue, list);
    this.pump(queue);
  }

  private pump(queue: JobName) {
    const list = this.waiting.get(queue) ?? [];
    while (!this.stopped && list.length > 0 && (this.active.get(queue) ?? 0) < this.concurrency) {
      const id = list.shift()!;
      this.active.set(queue, (this.active.get(queue) ?? 0) + 1);
      const p = this.run!(id)
        .catch(() => {})
        .finally(() => {
          this.inFlight.delete(p);
          this.active.set(queue, (this.active.get(queue) ?? 1) - 1);
          this.pump(queue);
        });
      this.inFlight.add(p);
    }
  }
}
