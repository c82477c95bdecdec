import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import type { Role } from "../domain/roles.ts";
import type { Actor } from "./manage-pools.ts";

/** One member of a team: a standalone login, or a Shopify staff member of a shop of the account. */
export type MemberRef = { kind: "admin"; id: string } | { kind: "shopify"; shop: string; userId: string };

/**
 * Who asks for a team change: their role (the CLI is `owner`), how the audit log names them, and
 * which member they are themselves (none for the CLI), so "my own role" rules can be checked.
 */
export interface TeamActor {
  role: Role;
  actor: Actor & { ip?: string | null };
  self?: MemberRef;
}

export const CLI_TEAM_ACTOR: TeamActor = { role: "owner", actor: { type: "cli" } };

export function sameMember(a: MemberRef | undefined, b: MemberRef): boolean {
  if (!a || a.kind !== b.kind) return false;
  return a.kind === "admin" ? a.id === (b as { id: string }).id : a.shop === (b as { shop: string }).shop && a.userId === (b as { userId: string }).userId;
}

export function memberSubject(m: MemberRef): { subjectType: string; subjectId: string } {
  return m.kind === "admin" ? { subjectType: "admin_user", subjectId: m.id } : { subjectType: "shopify_staff", subjectId: `${m.shop}:${m.userId}` };
}

/** A refused team change, written outside the refused transaction (which rolled back). */
export async function auditTeamRefusal(db: Executor, accountId: string, by: TeamActor, action: string, e: unknown, details: Record<string, unknown>): Promise<void> {
  const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "error";
  await recordAudit(db, {
    accountId,
    actorType: by.actor.type,
    actorId: by.actor.id ?? null,
    action: "team.refused",
    details: { attempted: action, reason: code, role: by.role, ...details },
    ip: by.actor.ip ?? null,
  });
}
