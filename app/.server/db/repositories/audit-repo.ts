import type { AuditLogTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export interface AuditEntry {
  accountId: string;
  actorType: AuditLogTable["actor_type"];
  actorId?: string | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  /** Never key plaintext: ids, counts, reasons. */
  details?: Record<string, unknown>;
  ip?: string | null;
}

export async function recordAudit(db: Executor, e: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      account_id: e.accountId,
      actor_type: e.actorType,
      actor_id: e.actorId ?? null,
      action: e.action,
      subject_type: e.subjectType ?? null,
      subject_id: e.subjectId ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
      ip: e.ip ?? null,
      created_at: new Date().toISOString(),
    })
    .execute();
}
