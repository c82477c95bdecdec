import { countJobs, oldestPending, recentFailedJobs } from "../db/repositories/job-rows.ts";
import { JOB_NAMES } from "../jobs/job-names.ts";
import type { Services } from "../ports.ts";

export interface JobsStatus {
  engine: "in-process" | "bullmq";
  queues: { queue: string; pending: number; running: number; done: number; failed: number }[];
  oldestPendingRunAt: string | null;
  recentFailures: { id: number; queue: string; attempts: number; error: string | null; kind: string | null; at: string }[];
}

export async function getJobsStatus(s: Pick<Services, "db" | "jobs">): Promise<JobsStatus> {
  const [counts, oldest, failures] = await Promise.all([countJobs(s.db), oldestPending(s.db), recentFailedJobs(s.db, 10)]);
  const names = [...new Set([...JOB_NAMES, ...counts.map((c) => c.queue)])];
  return {
    engine: s.jobs.engine.kind,
    queues: names.map((queue) => {
      const of = (st: string) => counts.find((c) => c.queue === queue && c.status === st)?.count ?? 0;
      return { queue, pending: of("pending"), running: of("running"), done: of("done"), failed: of("failed") };
    }),
    oldestPendingRunAt: oldest,
    recentFailures: failures.map((f) => ({ id: f.id, queue: f.queue, attempts: f.attempts, error: f.last_error, kind: f.error_kind, at: f.updated_at })),
  };
}
