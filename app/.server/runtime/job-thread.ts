import { Worker } from "node:worker_threads";
import { InProcessEngine } from "../jobs/in-process-engine.ts";
import type { JobName } from "../jobs/job-names.ts";
import type { MetricsSnapshot } from "../metrics/metrics-port.ts";
import type { Services } from "../ports.ts";
import type { StopReport } from "../jobs/job-queue.ts";

/** Claiming keys stays on the main thread, next to the webhooks that ask for it. */
export const MAIN_THREAD_QUEUES: JobName[] = ["process-event", "fill-backorders"];
/** Write-back, email, stock sync, reconciliation, alerts, the host's risk and cancellations: the job thread's. */
export const JOB_THREAD_QUEUES: JobName[] = [
  "deliver-order",
  "send-email",
  "sync-stock",
  "reconcile-store",
  "low-stock-alert",
  "reseller-webhook",
  "check-host-risk",
  "write-risk-assessment",
  "cancel-host-order",
];

export type ThreadMessage =
  | { type: "trigger"; queue: JobName; id: number; attempt: number; delayMs: number }
  | { type: "ready" }
  | { type: "stop"; jobsMs?: number }
  | { type: "stopped"; report: StopReport }
  | { type: "failed"; error: string }
  | { type: "metrics-request"; requestId: number }
  | { type: "metrics"; requestId: number; metrics: MetricsSnapshot };

export interface JobThread {
  /** The thread itself (tests end it to see the main thread take over). */
  readonly worker: Worker;
  /** Asks the thread to stop: its jobs in hand get `jobsMs` to finish, the rest are released (see JobQueue.stop). */
  stop(opts?: { jobsMs?: number }): Promise<StopReport | undefined>;
}

/**
 * The embedded default on two cores: the main thread answers HTTP and claims keys; a worker thread
 * with its own services (its own SQLite connection to the same file) runs the follow-up queues.
 * Triggers cross between the two engines over the thread's message channel; the jobs table stays
 * the only truth, so a lost message or a dead thread delays work and never loses it. If the thread
 * stops unexpectedly, the main thread takes its queues over.
 */
export async function startJobThread(s: Services, baseDir: string, opts: { env?: Record<string, string> } = {}): Promise<JobThread> {
  const engine = s.jobs.engine;
  if (!(engine instanceof InProcessEngine)) throw new Error("the job thread needs the in-process engine");
  const worker = new Worker(new URL("./job-thread-entry.ts", import.meta.url), { workerData: { baseDir }, ...(opts.env ? { env: opts.env } : {}) });
  let stopping = false;
  let adopted = false;
  let exited = false;
  worker.once("exit", () => (exited = true));
  const adopt = (why: string) => {
    engine.forward = undefined;
    if (stopping || adopted) return;
    adopted = true;
    s.log.error({ err: why }, "the job thread stopped; the main thread runs its queues");
    void s.jobs.adoptQueues(JOB_THREAD_QUEUES).catch((e) => s.log.error({ err: (e as Error).message }, "could not take over the job thread's queues"));
  };
  // The thread's counters (write-backs, emails, host calls) are summed into this thread's scrape.
  const metricsRequests = new Map<number, (m: MetricsSnapshot) => void>();
  let nextRequest = 0;
  let stopReport: StopReport | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on("message", (m: ThreadMessage) => {
      if (m.type === "trigger") void engine.trigger(m.queue, m.id, m.attempt, m.delayMs);
      else if (m.type === "metrics") metricsRequests.get(m.requestId)?.(m.metrics);
      else if (m.type === "ready") resolve();
      else if (m.type === "stopped") stopReport = m.report;
      else if (m.type === "failed") reject(new Error(m.error));
    });
    worker.once("exit", (code) => reject(new Error(`the job thread exited with code ${code} while starting`)));
  });
  worker.on("error", (e) => adopt(e.message));
  worker.on("exit", (code) => adopt(`exit code ${code}`));
  try {
    await ready;
  } catch (e) {
    adopt((e as Error).message);
    return { worker, stop: async () => undefined };
  }
  engine.forward = (queue, id, attempt, delayMs) => worker.postMessage({ type: "trigger", queue, id, attempt, delayMs } satisfies ThreadMessage);
  s.metrics.addSource(
    () =>
      new Promise<MetricsSnapshot>((resolve) => {
        // A thread that has stopped (its queues adopted) or does not answer adds nothing.
        if (exited) return resolve([]);
        const requestId = ++nextRequest;
        const timer = setTimeout(() => done([]), 2_000);
        const done = (m: MetricsSnapshot) => {
          clearTimeout(timer);
          metricsRequests.delete(requestId);
          resolve(m);
        };
        metricsRequests.set(requestId, done);
        worker.postMessage({ type: "metrics-request", requestId } satisfies ThreadMessage);
      }),
  );
  return {
    worker,
    async stop(opts = {}) {
      stopping = true;
      engine.forward = undefined;
      if (exited) return undefined;
      await new Promise<void>((resolve) => {
        const stuck = setTimeout(() => void worker.terminate(), (opts.jobsMs ?? 10_000) + 5_000);
        worker.once("exit", () => {
          clearTimeout(stuck);
          resolve();
        });
        worker.postMessage({ type: "stop", jobsMs: opts.jobsMs } satisfies ThreadMessage);
      });
      return stopReport;
    },
  };
}
