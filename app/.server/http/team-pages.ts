import { data } from "react-router";
import { requirePageAdmin, type PageAdmin, type Surface } from "../auth/admin-context.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { ROLES } from "../domain/roles.ts";
import { changeMemberRole, removeTeamMember } from "../use-cases/manage-team-members.ts";
import { inviteTeamMember, resendInvitation, revokeInvitation } from "../use-cases/invite-team-member.ts";
import { listTeam } from "../use-cases/list-team.ts";
import type { MemberRef, TeamActor } from "../use-cases/team-actor.ts";
import { errorData, type PageArgs, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";
import { resolveLocale } from "./resolve-locale.ts";

/**
 * The team page of both surfaces: members with their roles, Shopify staff (embedded), open
 * invitations. Only a holder of team.manage (owners) opens it; every action checks again in its
 * use-case, and a member or invitation of another account is a 404.
 */

function teamActor(admin: PageAdmin, ip: string | null): TeamActor {
  return { role: admin.role, actor: { ...admin.actor, ip }, self: admin.member };
}

export async function teamLoader({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "team.manage");
  const team = await listTeam(s, admin.accountId);
  return { base: admin.base, csrf: admin.csrf, surface, roles: ROLES, you: admin.member, ...team };
}

export type TeamActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "invite" | "resend"; email: string; sent: boolean; expiresAt: string }
  | { ok: true; intent: "revoke"; email: string }
  | { ok: true; intent: "role"; to: string }
  | { ok: true; intent: "remove"; email: string; sessionsEnded: number };

function memberFrom(form: URLSearchParams): MemberRef {
  if (form.get("memberKind") === "shopify") return { kind: "shopify", shop: form.get("shop") ?? "", userId: form.get("userId") ?? "" };
  return { kind: "admin", id: form.get("memberId") ?? "" };
}

export async function teamAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "team.manage");
  const by = teamActor(admin, context.clientIp ?? null);
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    if (intent === "invite") {
      // The email is written in the language the inviter is reading.
      const locale = resolveLocale({ request, fallback: s.config.defaultLocale });
      const r = await inviteTeamMember(s, admin.accountId, { email: form.get("email") ?? "", role: form.get("role") ?? "", locale }, by);
      return data<TeamActionData>({ ok: true, intent, email: r.email, sent: r.sent, expiresAt: r.expiresAt });
    }
    if (intent === "resend") {
      const r = await resendInvitation(s, admin.accountId, form.get("invitationId") ?? "", by);
      return data<TeamActionData>({ ok: true, intent, email: r.email, sent: r.sent, expiresAt: r.expiresAt });
    }
    if (intent === "revoke") {
      const r = await revokeInvitation(s, admin.accountId, form.get("invitationId") ?? "", by);
      return data<TeamActionData>({ ok: true, intent, email: r.email });
    }
    if (intent === "role") {
      const r = await changeMemberRole(s, admin.accountId, memberFrom(form), form.get("role") ?? "", by);
      return data<TeamActionData>({ ok: true, intent, to: r.to });
    }
    if (intent === "remove") {
      const r = await removeTeamMember(s, admin.accountId, { id: form.get("memberId") ?? "" }, by);
      return data<TeamActionData>({ ok: true, intent, email: r.email, sessionsEnded: r.sessionsEnded });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return errorData(e);
  }
}
