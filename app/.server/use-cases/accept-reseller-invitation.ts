import { checkPasswordPolicy } from "../auth/password-policy.ts";
import { hashPassword } from "../crypto/password.ts";
import { hashResellerInvitationToken, isResellerInvitationTokenShaped } from "../crypto/reseller-invitation-token.ts";
import { getAccount } from "../db/repositories/accounts-repo.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findResellerInvitationByTokenHash, findResellerUserByEmail, insertResellerUser, markResellerInvitationAccepted } from "../db/repositories/reseller-portal-repo.ts";
import { findReseller } from "../db/repositories/resellers-repo.ts";
import type { ResellerInvitation } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { invitationState } from "../domain/roles.ts";
import type { Services } from "../ports.ts";

/**
 * The portal invitation link (/portal/invite/:token): who is invited to which reseller, and
 * accepting it with a password under the admin's password policy. A used, revoked or expired link
 * is refused with its reason (audited in its account); an unknown one is refused unaudited.
 */
export interface ResellerInvitationView {
  email: string;
  resellerName: string;
  accountName: string;
  expiresAt: string;
  locale: string | null;
}

const REFUSAL = { accepted: "invitation_used", revoked: "invitation_revoked", expired: "invitation_expired" } as const;

async function findByToken(s: Pick<Services, "db">, token: unknown): Promise<ResellerInvitation> {
  const inv = isResellerInvitationTokenShaped(token) ? await findResellerInvitationByTokenHash(s.db, hashResellerInvitationToken(token)) : undefined;
  if (!inv) throw new InvalidInputError("invitation_invalid", "This invitation link is not valid.", { field: "token" });
  return inv;
}

async function refuse(s: Pick<Services, "db">, inv: ResellerInvitation, code: string, ip: string | null): Promise<never> {
  await recordAudit(s.db, { accountId: inv.account_id, actorType: "system", action: "reseller.portal_invitation_refused", subjectType: "reseller_invitation", subjectId: inv.id, details: { resellerId: inv.reseller_id, email: inv.email, reason: code }, ip });
  throw new InvalidInputError(code, `The invitation cannot be used (${code}).`, { field: "token", params: { email: inv.email } });
}

async function usable(s: Pick<Services, "db">, token: unknown, ip: string | null, now: Date) {
  const inv = await findByToken(s, token);
  const state = invitationState(inv, now);
  if (state !== "pending") return refuse(s, inv, REFUSAL[state], ip);
  const reseller = await findReseller(s.db, inv.account_id, inv.reseller_id);
  if (!reseller || reseller.status !== "active") return refuse(s, inv, "portal_suspended", ip);
  return { inv, reseller };
}

export async function openResellerInvitation(s: Pick<Services, "db">, token: unknown, ip: string | null = null): Promise<ResellerInvitationView> {
  const { inv, reseller } = await usable(s, token, ip, new Date());
  const account = await getAccount(s.db, inv.account_id);
  return { email: inv.email, resellerName: reseller.name, accountName: account?.name ?? "", expiresAt: inv.expires_at, locale: inv.locale };
}

/**
 * Sets the password: the login and the invitation's acceptance are one transaction, the
 * acceptance a conditional UPDATE, so a link posted twice at once makes one login.
 */
export async function acceptResellerInvitation(
  s: Pick<Services, "db">,
  input: { token: unknown; password: string; confirm: string; locale?: string | null; ip?: string | null },
): Promise<{ userId: string; resellerId: string; accountId: string; email: string }> {
  const ip = input.ip ?? null;
  const now = new Date();
  const { inv } = await usable(s, input.token, ip, now);
  await checkPasswordPolicy(input.password, { email: inv.email, field: "password" });
  if (input.password !== input.confirm) throw new InvalidInputError("password_mismatch", "The passwords do not match.", { field: "confirm" });
  const passwordHash = await hashPassword(input.password);
  const outcome = await s.db
    .transaction()
    .execute(async (trx) => {
      if (await findResellerUserByEmail(trx, inv.email)) return "taken" as const;
      const user = await insertResellerUser(trx, { accountId: inv.account_id, resellerId: inv.reseller_id, email: inv.email, passwordHash, locale: input.locale ?? inv.locale ?? null });
      if ((await markResellerInvitationAccepted(trx, inv.id, user.id, now)) === 0) throw new InvitationRace();
      await recordAudit(trx, { accountId: inv.account_id, actorType: "reseller", actorId: inv.reseller_id, action: "reseller.portal_invitation_accepted", subjectType: "reseller_invitation", subjectId: inv.id, details: { email: inv.email, userId: user.id }, ip });
      return user;
    })
    .catch((e) => {
      if (e instanceof InvitationRace || isUniqueViolation(e)) return "used" as const;
      throw e;
    });
  if (outcome === "taken") return refuse(s, inv, "portal_email_taken", ip);
  if (outcome === "used") return refuse(s, inv, "invitation_used", ip);
  return { userId: outcome.id, resellerId: inv.reseller_id, accountId: inv.account_id, email: inv.email };
}

class InvitationRace extends Error {}
