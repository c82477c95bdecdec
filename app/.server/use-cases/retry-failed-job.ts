import { recordAudit } from "../db/repositories/audit-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { JobName } from "../jobs/job-names.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/**
 * Puts a parked (failed) job of this account back in the queue with a fresh attempt budget — after
 * the merchant fixed its cause (reconnected a store, corrected SMTP). The row itself is retried, so
 * its payload and dedupe rules stay as they were.
 */
export async function retryFailedJob(s: Pick<Services, "db" | "jobs">, accountId: string, jobId: number, actor: Actor): Promise<{ id: number; queue: string }> {
  const now = new Date().toISOString();
  const job = await s.db.selectFrom("jobs").select(["id", "queue", "dedupe_key", "status"]).where("id", "=", jobId).where("account_id", "=", accountId).executeTakeFirst();
  // Another account's job is an unknown one (404); this account's job that is not parked is a 400.
  if (!job) throw new InvalidInputError("job_not_found", "no job with this id", { field: "jobId", params: { id: jobId } });
  if (job.status !== "failed") throw new InvalidInputError("job_not_retryable", "no failed job with this id", { params: { id: jobId } });
  const failed = job;
  // The same work already waits in another row: the parked one is merged into it, not revived
  // (two pending rows with one dedupe key are refused by the schema).
  const waiting = failed.dedupe_key
    ? await s.db.selectFrom("jobs").select(["id", "queue"]).where("dedupe_key", "=", failed.dedupe_key).where("status", "=", "pending").executeTakeFirst()
    : undefined;
  if (waiting) {
    await s.db.updateTable("jobs").set({ status: "done", last_error: `retried as job ${waiting.id}`, updated_at: now, completed_at: now }).where("id", "=", jobId).where("status", "=", "failed").execute();
    await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "job.retried", subjectType: "job", subjectId: String(jobId), details: { queue: failed.queue, mergedInto: Number(waiting.id) } });
    await s.jobs.engine.trigger(waiting.queue as JobName, Number(waiting.id), 0, 0).catch(() => {});
    return { id: Number(waiting.id), queue: waiting.queue };
  }
  const r = await s.db
    .updateTable("jobs")
    .set({ status: "pending", attempts: 0, run_at: now, locked_at: null, locked_by: null, updated_at: now, completed_at: null })
    .where("id", "=", jobId)
    .where("account_id", "=", accountId)
    .where("status", "=", "failed")
    .returning(["id", "queue"])
    .executeTakeFirst();
  if (!r) throw new InvalidInputError("job_not_retryable", "no failed job with this id", { params: { id: jobId } });
  await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "job.retried", subjectType: "job", subjectId: String(jobId), details: { queue: r.queue } });
  await s.jobs.engine.trigger(r.queue as JobName, Number(r.id), 0, 0).catch(() => {});
  return { id: Number(r.id), queue: r.queue };
}
