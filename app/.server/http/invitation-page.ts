import { data, redirect } from "react-router";
import { adminSessionStorage, ensureLoginCsrf, getSession, readAuthForm, signedInAdmin, startAdminSession, verifyCsrf } from "../auth/admin-session.ts";
import { KeyrelayError } from "../domain/errors.ts";
import type { Role } from "../domain/roles.ts";
import { acceptInvitation, openInvitation } from "../use-cases/accept-invitation.ts";
import { signOutAdminSession } from "../use-cases/end-admin-sessions.ts";
import type { PageArgs, PageError } from "./pool-pages.ts";

/**
 * /invite/:token, outside both admins: the invited email, the account and the role, and a form
 * that sets the password. Accepting creates the login and signs this browser in (a fresh session,
 * as a sign-in does). Pre-login, the form's CSRF token is the login form's (admin-session.ts).
 */

export type InvitationLoaderData =
  | { ok: true; csrf: string; email: string; role: Role; accountName: string; expiresAt: string }
  | { ok: false; error: PageError };

/** used / revoked / expired are gone for good (410); an unknown link 404; another account's session 409. */
function statusFor(code: string): number {
  if (code === "invitation_invalid") return 404;
  if (code === "invitation_other_account" || code === "invitation_email_taken") return 409;
  if (code === "csrf") return 403;
  if (code === "body_too_large") return 413;
  if (code.startsWith("invitation_")) return 410;
  return 400;
}

function refusal(e: unknown, headers?: HeadersInit) {
  if (!(e instanceof KeyrelayError) || e.kind !== "invalid_input") throw e;
  const error: PageError = { code: e.code, params: e.params, field: "field" in e && typeof e.field === "string" ? e.field : undefined };
  return data({ ok: false as const, error }, { status: statusFor(e.code), headers });
}

/**
 * A document POST runs the action and then this page's loader in one request (one load context).
 * When the action refused the link itself (and audited that), the loader shows the same refusal
 * instead of opening the link again, which would write a second refusal row for one attempt.
 */
const refusedByAction = new WeakMap<object, KeyrelayError>();

export async function invitationLoader({ request, context, params }: PageArgs) {
  const s = context.services;
  const session = await getSession(s, request);
  const signedIn = await signedInAdmin(s, request);
  // The token is in the URL: never cached, never sent on as a Referer, never indexed.
  const headers = { "Set-Cookie": "", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex" };
  // The form's token is set even when the link is refused: a post then hears the link's reason, not "csrf".
  const csrf = ensureLoginCsrf(session);
  headers["Set-Cookie"] = await adminSessionStorage(s).commitSession(session);
  const refused = refusedByAction.get(context);
  if (refused) return refusal(refused, headers);
  try {
    const view = await openInvitation(s, params.token, { signedInAccountId: signedIn?.accountId ?? null, ip: context.clientIp ?? null });
    return data<InvitationLoaderData>({ ok: true, csrf, email: view.email, role: view.role, accountName: view.accountName, expiresAt: view.expiresAt }, { headers });
  } catch (e) {
    return refusal(e, headers);
  }
}

export async function invitationAction({ request, context, params }: PageArgs) {
  const s = context.services;
  const session = await getSession(s, request);
  try {
    const form = await readAuthForm(request);
    verifyCsrf(session.get("loginCsrf"), form.get("csrf"));
    const signedIn = await signedInAdmin(s, request);
    const accepted = await acceptInvitation(s, {
      token: params.token,
      password: form.get("password") ?? "",
      confirm: form.get("confirm") ?? "",
      locale: form.get("locale") || null,
      signedInAccountId: signedIn?.accountId ?? null,
      ip: context.clientIp ?? null,
    });
    // Signed in already (to this account: another one is refused): that session ends here, not
    // only its cookie — the record would otherwise stay live for anyone holding a copy of it.
    if (signedIn) await signOutAdminSession(s, { userId: signedIn.user.id, accountId: signedIn.accountId }, signedIn.sessionKey, context.clientIp ?? null);
    const cookie = await startAdminSession(s, { userId: accepted.userId, accountId: accepted.accountId, userAgent: request.headers.get("user-agent"), ip: context.clientIp ?? null });
    return redirect("/admin", { headers: { "Set-Cookie": cookie } });
  } catch (e) {
    if (e instanceof KeyrelayError && e.code.startsWith("invitation_")) refusedByAction.set(context, e);
    return refusal(e);
  }
}
