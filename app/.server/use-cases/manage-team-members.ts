import { lockAccount } from "../db/repositories/accounts-repo.ts";
import { revokeAdminSessions } from "../db/repositories/admin-sessions-repo.ts";
import { deleteAdminUser } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { countOwners, findAccountAdmin, findShopifyStaff, setAdminRole, setShopifyStaffRole } from "../db/repositories/team-repo.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import { assertMayAssignRole, assertOwnerRemains, parseRole, requirePermission, type Role } from "../domain/roles.ts";
import type { Services } from "../ports.ts";
import { auditTeamRefusal, memberSubject, sameMember, type MemberRef, type TeamActor } from "./team-actor.ts";

/**
 * Changing a member's role and removing a member. Both run under the account's lock, so two
 * owners demoting each other at once cannot both see "another owner is left"; a member of another
 * account is "not found" (404), never touched. Refusals are audited.
 */

interface Found {
  role: Role;
  label: string;
}

async function findMember(trx: Executor, accountId: string, m: MemberRef): Promise<Found> {
  if (m.kind === "admin") {
    const user = await findAccountAdmin(trx, accountId, { id: m.id });
    if (user) return { role: user.role, label: user.email };
  } else {
    const staff = await findShopifyStaff(trx, accountId, m.shop, m.userId);
    if (staff) return { role: staff.role, label: `${m.shop} #${m.userId}` };
  }
  throw new InvalidInputError("team_member_not_found", "no such member", { field: "member" });
}

export async function changeMemberRole(s: Pick<Services, "db">, accountId: string, member: MemberRef, rawRole: string, by: TeamActor): Promise<{ member: MemberRef; from: Role; to: Role }> {
  try {
    requirePermission(by.role, "team.manage");
    const to = parseRole(rawRole);
    return await s.db.transaction().execute(async (trx) => {
      await lockAccount(trx, accountId);
      const found = await findMember(trx, accountId, member);
      const self = sameMember(by.self, member);
      assertMayAssignRole({ role: by.role, self }, { from: found.role, to });
      assertOwnerRemains({ from: found.role, to, owners: await countOwners(trx, accountId) }, found.label);
      if (found.role !== to) {
        if (member.kind === "admin") await setAdminRole(trx, accountId, member.id, to);
        else await setShopifyStaffRole(trx, accountId, member.shop, member.userId, to);
        await recordAudit(trx, {
          accountId,
          actorType: by.actor.type,
          actorId: by.actor.id ?? null,
          action: "team.role_changed",
          ...memberSubject(member),
          details: { member: found.label, from: found.role, to, self },
          ip: by.actor.ip ?? null,
        });
      }
      return { member, from: found.role, to };
    });
  } catch (e) {
    if (e instanceof KeyrelayError && e.kind === "invalid_input") await auditTeamRefusal(s.db, accountId, by, "change_role", e, { ...memberSubject(member), role: rawRole });
    throw e;
  }
}

/**
 * Removes a standalone login from the team: every session of theirs ends in the same transaction
 * (the next request with their cookie is at /login). Shopify staff are not removed here: Shopify
 * decides who opens the app; their role here can be lowered to viewer.
 */
export async function removeTeamMember(s: Pick<Services, "db">, accountId: string, member: { id?: string; email?: string }, by: TeamActor): Promise<{ userId: string; email: string; sessionsEnded: number }> {
  try {
    requirePermission(by.role, "team.manage");
    return await s.db.transaction().execute(async (trx) => {
      await lockAccount(trx, accountId);
      const email = member.email?.trim().toLowerCase();
      const user = await findAccountAdmin(trx, accountId, member.id !== undefined ? { id: member.id } : { email: email ?? "" });
      if (!user) throw new InvalidInputError("team_member_not_found", "no such member", { field: member.id !== undefined ? "member" : "email", params: { email: email ?? "" } });
      assertOwnerRemains({ from: user.role, to: null, owners: await countOwners(trx, accountId) }, user.email);
      const sessionsEnded = await revokeAdminSessions(trx, user.id, new Date());
      await deleteAdminUser(trx, user.id);
      await recordAudit(trx, {
        accountId,
        actorType: by.actor.type,
        actorId: by.actor.id ?? null,
        action: "team.member_removed",
        subjectType: "admin_user",
        subjectId: user.id,
        details: { email: user.email, role: user.role, sessionsEnded, self: sameMember(by.self, { kind: "admin", id: user.id }) },
        ip: by.actor.ip ?? null,
      });
      return { userId: user.id, email: user.email, sessionsEnded };
    });
  } catch (e) {
    if (e instanceof KeyrelayError && e.kind === "invalid_input") await auditTeamRefusal(s.db, accountId, by, "remove", e, { memberId: member.id ?? null, email: member.email ?? null });
    throw e;
  }
}
