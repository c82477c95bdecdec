import { data } from "react-router";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { inviteResellerUser } from "../use-cases/invite-reseller-user.ts";
import { errorData, type PageArgs } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";

/**
 * The merchant's "Invite to the portal" button, ready to wire: a page action of either surface
 * (the reseller detail page calls it for `intent=portal-invite`) that needs resellers.manage,
 * checks the CSRF token and sends the invitation through inviteResellerUser (audited; the email
 * through the mail port). Another account's reseller is reseller_not_found (404).
 * Fields: resellerId, email, locale (optional: the email's and the page's language).
 */
export type ResellerInviteActionData = { ok: true; intent: "portal-invite"; email: string; expiresAt: string; sent: boolean; renewed: boolean } | { ok: false; error: { code: string; params: Record<string, string | number>; field?: string } };

export async function resellerInviteAction({ request, context }: PageArgs, surface: Surface, form?: URLSearchParams) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "resellers.manage");
  try {
    const f = form ?? (await readForm(request));
    admin.checkCsrf(f.get("csrf"));
    const r = await inviteResellerUser(s, admin.accountId, { resellerId: f.get("resellerId") ?? "", email: f.get("email") ?? "", locale: f.get("locale") }, admin.actor);
    return data<ResellerInviteActionData>({ ok: true, intent: "portal-invite", email: r.email, expiresAt: r.expiresAt, sent: r.sent, renewed: r.renewed });
  } catch (e) {
    return errorData(e);
  }
}
