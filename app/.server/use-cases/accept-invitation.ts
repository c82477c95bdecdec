import { checkPasswordPolicy } from "../auth/password-policy.ts";
import { hashInvitationToken, isInvitationTokenShaped } from "../crypto/invitation-token.ts";
import { hashPassword } from "../crypto/password.ts";
import { getAccount } from "../db/repositories/accounts-repo.ts";
import { findAdminByEmail, insertAdminUser } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findInvitationByTokenHash, markInvitationAccepted } from "../db/repositories/team-repo.ts";
import type { TeamInvitation } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { invitationState, type Role } from "../domain/roles.ts";
import type { Services } from "../ports.ts";

/**
 * The invitation link's page: who is invited where, and accepting it (a password → the login is
 * created with the invited role → signed in). A link that was used, revoked, expired or never
 * existed is refused with its own reason; every refusal of a real invitation is audited in its
 * account (an unknown token names no account: it is refused the same way, unaudited).
 */

export interface InvitationView {
  email: string;
  role: Role;
  accountName: string;
  expiresAt: string;
  locale: string | null;
}

const REFUSAL: Record<"accepted" | "revoked" | "expired", string> = {
  accepted: "invitation_used",
  revoked: "invitation_revoked",
  expired: "invitation_expired",
};

async function findByToken(s: Pick<Services, "db">, token: unknown): Promise<TeamInvitation> {
  const inv = isInvitationTokenShaped(token) ? await findInvitationByTokenHash(s.db, hashInvitationToken(token)) : undefined;
  if (!inv) throw new InvalidInputError("invitation_invalid", "This invitation link is not valid.", { field: "token" });
  return inv;
}

async function refuse(s: Pick<Services, "db">, inv: TeamInvitation, code: string, ip: string | null, extra: Record<string, unknown> = {}): Promise<never> {
  await recordAudit(s.db, {
    accountId: inv.account_id,
    actorType: "system",
    action: "team.invitation_refused",
    subjectType: "team_invitation",
    subjectId: inv.id,
    details: { email: inv.email, reason: code, ...extra },
    ip,
  });
  throw new InvalidInputError(code, `The invitation cannot be used (${code}).`, { field: "token", params: { email: inv.email } });
}

/** What the accept page shows; throws the refusal (audited) when the link cannot be used. */
export async function openInvitation(s: Pick<Services, "db">, token: unknown, ctx: { signedInAccountId?: string | null; ip?: string | null; now?: Date } = {}): Promise<InvitationView> {
  const inv = await findByToken(s, token);
  const state = invitationState(inv, ctx.now ?? new Date());
  if (state !== "pending") return refuse(s, inv, REFUSAL[state], ctx.ip ?? null);
  if (ctx.signedInAccountId && ctx.signedInAccountId !== inv.account_id) return refuse(s, inv, "invitation_other_account", ctx.ip ?? null, { signedInAccountId: ctx.signedInAccountId });
  const account = await getAccount(s.db, inv.account_id);
  return { email: inv.email, role: inv.role, accountName: account?.name ?? "", expiresAt: inv.expires_at, locale: inv.locale };
}

export interface AcceptedInvitation {
  userId: string;
  accountId: string;
  email: string;
  role: Role;
}

/**
 * Accepts: the password must pass the admin password policy and match its confirmation; the login
 * and the invitation's acceptance are one transaction, and the acceptance is a conditional UPDATE,
 * so a link posted twice at once creates one login and refuses the other.
 */
export async function acceptInvitation(
  s: Pick<Services, "db">,
  input: { token: unknown; password: string; confirm: string; locale?: string | null; signedInAccountId?: string | null; ip?: string | null },
): Promise<AcceptedInvitation> {
  const ip = input.ip ?? null;
  const inv = await findByToken(s, input.token);
  const now = new Date();
  const state = invitationState(inv, now);
  if (state !== "pending") return refuse(s, inv, REFUSAL[state], ip);
  if (input.signedInAccountId && input.signedInAccountId !== inv.account_id) return refuse(s, inv, "invitation_other_account", ip, { signedInAccountId: input.signedInAccountId });
  await checkPasswordPolicy(input.password, { email: inv.email, field: "password" });
  if (input.password !== input.confirm) throw new InvalidInputError("password_mismatch", "The passwords do not match.", { field: "confirm" });
  const passwordHash = await hashPassword(input.password);
  const outcome = await s.db.transaction().execute(async (trx) => {
    if (await findAdminByEmail(trx, inv.email)) return "taken" as const;
    const user = await insertAdminUser(trx, { accountId: inv.account_id, email: inv.email, passwordHash, role: inv.role, locale: input.locale ?? inv.locale ?? null });
    if ((await markInvitationAccepted(trx, inv.id, user.id, now)) === 0) {
      // Taken, revoked or expired since it was read: roll the login back.
      throw new InvitationRace();
    }
    await recordAudit(trx, {
      accountId: inv.account_id,
      actorType: "admin",
      actorId: user.id,
      action: "team.invitation_accepted",
      subjectType: "team_invitation",
      subjectId: inv.id,
      details: { email: inv.email, role: inv.role, invitedBy: inv.invited_by_id },
      ip,
    });
    return user;
  }).catch(async (e) => {
    if (e instanceof InvitationRace || isUniqueViolation(e)) return "used" as const;
    throw e;
  });
  if (outcome === "taken") return refuse(s, inv, "invitation_email_taken", ip);
  if (outcome === "used") return refuse(s, inv, "invitation_used", ip);
  return { userId: outcome.id, accountId: inv.account_id, email: inv.email, role: inv.role };
}

class InvitationRace extends Error {}

/** Two acceptances at once: the second insert of the same email meets the unique index. */
function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
