import crypto from "node:crypto";
import { z } from "zod";
import { newInvitationToken } from "../crypto/invitation-token.ts";
import { getAccount, lockAccount } from "../db/repositories/accounts-repo.ts";
import { findAdminByEmail } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findOpenInvitationByEmail, getInvitation, insertInvitation, renewInvitation, revokeInvitationRow } from "../db/repositories/team-repo.ts";
import type { TeamInvitation } from "../db/schema.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import { assertMayAssignRole, INVITATION_TTL_MS, parseRole, requirePermission, type Role } from "../domain/roles.ts";
import type { Services } from "../ports.ts";
import { isLocale, translator, type Locale } from "../../i18n/i18n.ts";
import { auditTeamRefusal, type TeamActor } from "./team-actor.ts";

type Deps = Pick<Services, "db" | "mailer" | "config">;

export interface SentInvitation {
  invitationId: string;
  email: string;
  role: Role;
  expiresAt: string;
  /** False when the mail server refused or was unreachable: the invitation stands, resend it. */
  sent: boolean;
  /** True when an open invitation for this email was renewed instead of a second one made. */
  renewed: boolean;
}

const Email = z.string().trim().toLowerCase().pipe(z.email());

function parseEmail(raw: unknown): string {
  const r = Email.safeParse(raw);
  if (!r.success) throw new InvalidInputError("invalid_email", "That is not a valid email address.", { field: "email" });
  return r.data;
}

/**
 * Invites an email to the account with a role: a link that works once, for 72 hours, mailed to
 * them. Inviting an email that already has an open invitation renews that one (new link, new
 * deadline, the role given now). Only owners may; nobody gives a role above their own.
 */
export async function inviteTeamMember(s: Deps, accountId: string, raw: { email: string; role: string; locale?: string }, by: TeamActor): Promise<SentInvitation> {
  let email = String(raw.email ?? "");
  try {
    requirePermission(by.role, "team.manage");
    email = parseEmail(raw.email);
    const role = parseRole(raw.role);
    assertMayAssignRole({ role: by.role, self: false }, { from: null, to: role });
    const locale: Locale = isLocale(raw.locale) ? raw.locale : "en";
    const { token, hash } = newInvitationToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS).toISOString();
    const { invitation, renewed } = await s.db.transaction().execute(async (trx) => {
      await lockAccount(trx, accountId);
      const existing = await findAdminByEmail(trx, email);
      if (existing) {
        // Logins are unique per email across the installation; one that exists cannot join another account.
        throw new InvalidInputError(existing.account_id === accountId ? "team_already_member" : "team_email_taken", `${email} already has a keyrelay login.`, {
          field: "email",
          params: { email },
        });
      }
      const open = await findOpenInvitationByEmail(trx, accountId, email);
      let row: TeamInvitation;
      if (open) {
        await renewInvitation(trx, accountId, open.id, { tokenHash: hash, sentAt: now.toISOString(), expiresAt, role });
        row = { ...open, token_hash: hash, sent_at: now.toISOString(), expires_at: expiresAt, role };
      } else {
        row = {
          id: crypto.randomUUID(),
          account_id: accountId,
          email,
          role,
          token_hash: hash,
          locale,
          invited_by_type: by.actor.type,
          invited_by_id: by.actor.id ?? null,
          created_at: now.toISOString(),
          sent_at: now.toISOString(),
          expires_at: expiresAt,
          accepted_at: null,
          accepted_user_id: null,
          revoked_at: null,
        };
        await insertInvitation(trx, row);
      }
      await recordAudit(trx, {
        accountId,
        actorType: by.actor.type,
        actorId: by.actor.id ?? null,
        action: open ? "team.invitation_resent" : "team.invited",
        subjectType: "team_invitation",
        subjectId: row.id,
        details: { email, role, expiresAt },
        ip: by.actor.ip ?? null,
      });
      return { invitation: row, renewed: Boolean(open) };
    });
    const sent = await mailInvitation(s, invitation, token);
    return { invitationId: invitation.id, email, role, expiresAt, sent, renewed };
  } catch (e) {
    if (e instanceof KeyrelayError && e.kind === "invalid_input") await auditTeamRefusal(s.db, accountId, by, "invite", e, { email });
    throw e;
  }
}

/** A fresh link and deadline for an open invitation (the old link stops working), mailed again. */
export async function resendInvitation(s: Deps, accountId: string, invitationId: string, by: TeamActor): Promise<SentInvitation> {
  try {
    requirePermission(by.role, "team.manage");
    const { token, hash } = newInvitationToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS).toISOString();
    const invitation = await s.db.transaction().execute(async (trx) => {
      const inv = await getInvitation(trx, accountId, invitationId);
      if (!inv || (await renewInvitation(trx, accountId, invitationId, { tokenHash: hash, sentAt: now.toISOString(), expiresAt })) === 0) {
        throw new InvalidInputError("team_invitation_not_found", "no such open invitation", { field: "invitationId" });
      }
      await recordAudit(trx, {
        accountId,
        actorType: by.actor.type,
        actorId: by.actor.id ?? null,
        action: "team.invitation_resent",
        subjectType: "team_invitation",
        subjectId: inv.id,
        details: { email: inv.email, role: inv.role, expiresAt },
        ip: by.actor.ip ?? null,
      });
      return { ...inv, token_hash: hash, expires_at: expiresAt };
    });
    const sent = await mailInvitation(s, invitation, token);
    return { invitationId: invitation.id, email: invitation.email, role: invitation.role, expiresAt, sent, renewed: true };
  } catch (e) {
    if (e instanceof KeyrelayError && e.kind === "invalid_input") await auditTeamRefusal(s.db, accountId, by, "resend", e, { invitationId });
    throw e;
  }
}

/** Withdraws an open invitation: its link stops working at once. */
export async function revokeInvitation(s: Pick<Services, "db">, accountId: string, invitationId: string, by: TeamActor): Promise<{ invitationId: string; email: string }> {
  try {
    requirePermission(by.role, "team.manage");
    return await s.db.transaction().execute(async (trx) => {
      const inv = await getInvitation(trx, accountId, invitationId);
      if (!inv || (await revokeInvitationRow(trx, accountId, invitationId, new Date())) === 0) {
        throw new InvalidInputError("team_invitation_not_found", "no such open invitation", { field: "invitationId" });
      }
      await recordAudit(trx, {
        accountId,
        actorType: by.actor.type,
        actorId: by.actor.id ?? null,
        action: "team.invitation_revoked",
        subjectType: "team_invitation",
        subjectId: inv.id,
        details: { email: inv.email, role: inv.role },
        ip: by.actor.ip ?? null,
      });
      return { invitationId: inv.id, email: inv.email };
    });
  } catch (e) {
    if (e instanceof KeyrelayError && e.kind === "invalid_input") await auditTeamRefusal(s.db, accountId, by, "revoke_invitation", e, { invitationId });
    throw e;
  }
}

/** The email, in the language the invitation was made in; the token travels only in it. */
async function mailInvitation(s: Deps, inv: TeamInvitation, token: string): Promise<boolean> {
  const account = await getAccount(s.db, inv.account_id);
  const locale: Locale = isLocale(inv.locale) ? inv.locale : "en";
  const t = translator(locale);
  const link = `${s.config.appUrl.replace(/\/$/, "")}/invite/${token}`;
  const params = { account: account?.name ?? "", role: t(`team.roles.${inv.role}`), link, hours: Math.round(INVITATION_TTL_MS / 3_600_000) };
  try {
    await s.mailer.send({
      to: inv.email,
      subject: t("emails.teamInvitation.subject", params),
      text: t("emails.teamInvitation.text", params),
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
