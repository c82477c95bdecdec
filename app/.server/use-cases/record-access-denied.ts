import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Permission, Role } from "../domain/roles.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/** A member asked for something sensitive their role does not allow (an export, a reveal, the team): on the record. */
export async function recordAccessDenied(s: Pick<Services, "db">, accountId: string, actor: Actor & { ip?: string | null }, denied: { permission: Permission; role: Role; method: string; path: string }): Promise<void> {
  await recordAudit(s.db, {
    accountId,
    actorType: actor.type,
    actorId: actor.id ?? null,
    action: "access.denied",
    details: denied,
    ip: actor.ip ?? null,
  });
}
