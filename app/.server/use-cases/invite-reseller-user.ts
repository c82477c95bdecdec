import crypto from "node:crypto";
import { z } from "zod";
import { newResellerInvitationToken } from "../crypto/reseller-invitation-token.ts";
import { getAccount } from "../db/repositories/accounts-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findOpenResellerInvitation, findResellerUserByEmail, insertResellerInvitation, renewResellerInvitation } from "../db/repositories/reseller-portal-repo.ts";
import { lockReseller } from "../db/repositories/resellers-repo.ts";
import type { ResellerInvitation } from "../db/schema.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import { INVITATION_TTL_MS } from "../domain/roles.ts";
import type { Services } from "../ports.ts";
import { isLocale, translator, type Locale } from "../../i18n/i18n.ts";
import type { Actor } from "./manage-pools.ts";

export interface SentResellerInvitation {
  invitationId: string;
  resellerId: string;
  email: string;
  expiresAt: string;
  /** False when the mail server refused or was unreachable: the invitation stands, invite again to resend. */
  sent: boolean;
  /** True when an open invitation of this email to this reseller was renewed (new link, new deadline). */
  renewed: boolean;
}

const Email = z.string().trim().toLowerCase().pipe(z.email());

/**
 * The merchant invites a person to a reseller's portal: a link that works once, for 72 hours
 * (the team invitation's lifetime), mailed through the mail port. The CLI (`reseller invite`)
 * and the merchant's reseller page call this; the caller checks the merchant's role
 * (resellers.manage) first. An email that already has a portal login is refused; inviting an
 * email again renews its open invitation.
 */
export async function inviteResellerUser(
  s: Pick<Services, "db" | "mailer" | "config">,
  accountId: string,
  raw: { resellerId: string; email: string; locale?: string | null },
  actor: Actor,
): Promise<SentResellerInvitation> {
  const parsed = Email.safeParse(raw.email);
  if (!parsed.success) throw new InvalidInputError("invalid_email", "That is not a valid email address.", { field: "email" });
  const email = parsed.data;
  const locale: Locale = isLocale(raw.locale) ? raw.locale : "en";
  const { token, hash } = newResellerInvitationToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS).toISOString();
  const { invitation, renewed, resellerName } = await s.db.transaction().execute(async (trx) => {
    // The reseller's row lock: two invitations of one email at once make one row.
    const reseller = await lockReseller(trx, accountId, raw.resellerId);
    if (!reseller) throw new InvalidInputError("reseller_not_found", "no such reseller in this account", { field: "reseller", params: { id: raw.resellerId } });
    if (await findResellerUserByEmail(trx, email)) throw new InvalidInputError("portal_email_taken", `${email} already has a reseller portal login.`, { field: "email", params: { email } });
    const open = await findOpenResellerInvitation(trx, accountId, reseller.id, email, now);
    let row: ResellerInvitation;
    if (open) {
      await renewResellerInvitation(trx, open.id, { tokenHash: hash, expiresAt });
      row = { ...open, token_hash: hash, expires_at: expiresAt };
    } else {
      row = { id: crypto.randomUUID(), account_id: accountId, reseller_id: reseller.id, email, token_hash: hash, locale, invited_by_type: actor.type, invited_by_id: actor.id ?? null, created_at: now.toISOString(), expires_at: expiresAt, accepted_at: null, accepted_user_id: null, revoked_at: null };
      await insertResellerInvitation(trx, row);
    }
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: open ? "reseller.portal_invitation_resent" : "reseller.portal_invited", subjectType: "reseller_invitation", subjectId: row.id, details: { resellerId: reseller.id, email, expiresAt } });
    return { invitation: row, renewed: Boolean(open), resellerName: reseller.name };
  });
  const sent = await mailInvitation(s, invitation, token, resellerName);
  return { invitationId: invitation.id, resellerId: invitation.reseller_id, email, expiresAt, sent, renewed };
}

/** The email, in the invitation's language; the token travels only in it (never in a log or the audit row). */
async function mailInvitation(s: Pick<Services, "db" | "mailer" | "config">, inv: ResellerInvitation, token: string, resellerName: string): Promise<boolean> {
  const account = await getAccount(s.db, inv.account_id);
  const t = translator(isLocale(inv.locale) ? inv.locale : "en");
  const link = `${s.config.appUrl.replace(/\/$/, "")}/portal/invite/${token}`;
  const params = { account: account?.name ?? "", reseller: resellerName, link, hours: Math.round(INVITATION_TTL_MS / 3_600_000) };
  try {
    await s.mailer.send({
      to: inv.email,
      subject: t("portal.email.subject", params),
      text: t("portal.email.text", params),
      from: account?.mail_from ?? undefined,
      fromName: account?.mail_sender_name ?? undefined,
      replyTo: account?.mail_reply_to ?? undefined,
    });
    return true;
  } catch (e) {
    if (e instanceof KeyrelayError && (e.kind === "retryable" || e.kind === "permanent")) return false;
    throw e;
  }
}
