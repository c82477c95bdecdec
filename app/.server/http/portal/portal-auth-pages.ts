import { data, redirect } from "react-router";
import { readAuthForm, verifyCsrf } from "../../auth/admin-session.ts";
import { clearPortalCookie, getPortalSession, portalNext, portalSessionStorage, signedInReseller, startPortalSession } from "../../auth/reseller-portal-session.ts";
import { newSessionId } from "../../crypto/admin-session-token.ts";
import { KeyrelayError } from "../../domain/errors.ts";
import { acceptResellerInvitation, openResellerInvitation } from "../../use-cases/accept-reseller-invitation.ts";
import { logInReseller } from "../../use-cases/log-in-reseller.ts";
import { TooManyAttemptsError } from "../../use-cases/log-in-admin.ts";
import { signOutResellerSession } from "../../use-cases/reseller-portal-session.ts";
import { setResellerUserLocale } from "../../db/repositories/reseller-portal-repo.ts";
import { isLocale } from "../../../i18n/i18n.ts";
import type { PageArgs, PageError } from "../pool-pages.ts";
import { portalStatus } from "./portal-errors.ts";

/**
 * The portal's pages before sign-in (login, the invitation link) and sign-out. The admin's
 * sign-in rules apply (login limiter, CSRF on the signed-out form, a fresh session id at sign-in);
 * the cookie is the portal's own.
 */

function refusal(e: unknown, headers?: HeadersInit) {
  if (!(e instanceof KeyrelayError) || e.kind !== "invalid_input") throw e;
  const error: PageError = { code: e.code, params: e.params, field: "field" in e && typeof e.field === "string" ? e.field : undefined };
  const status = e instanceof TooManyAttemptsError ? 429 : e.code === "csrf" ? 403 : e.code === "body_too_large" ? 413 : e.code === "login_failed" ? 401 : e.code === "portal_suspended" ? 403 : e.code === "invitation_invalid" ? 404 : e.code.startsWith("invitation_") ? 410 : e.code === "portal_email_taken" ? 409 : portalStatus(e);
  const h = new Headers(headers);
  if (e instanceof TooManyAttemptsError) h.set("Retry-After", String(e.retryAfterSeconds));
  return data({ ok: false as const, error }, { status, headers: h });
}

async function signedOutForm(args: PageArgs) {
  const s = args.context.services;
  const session = await getPortalSession(s, args.request);
  session.unset("sid");
  let csrf = session.get("loginCsrf");
  if (!csrf) {
    csrf = newSessionId();
    session.set("loginCsrf", csrf);
  }
  return { csrf, cookie: await portalSessionStorage(s).commitSession(session) };
}

export async function portalLoginLoader(args: PageArgs) {
  const s = args.context.services;
  const url = new URL(args.request.url);
  if (await signedInReseller(s, args.request)) throw redirect(portalNext(url.searchParams.get("next")));
  const { csrf, cookie } = await signedOutForm(args);
  return data({ csrf, signedOut: url.searchParams.has("signedOut") }, { headers: { "Set-Cookie": cookie, "Cache-Control": "no-store" } });
}

export async function portalLoginAction({ request, context }: PageArgs) {
  const s = context.services;
  const session = await getPortalSession(s, request);
  const next = portalNext(new URL(request.url).searchParams.get("next"));
  try {
    const form = await readAuthForm(request);
    verifyCsrf(session.get("loginCsrf"), form.get("csrf"));
    const who = await logInReseller(s, { email: form.get("email") ?? "", password: form.get("password") ?? "", ip: context.clientIp });
    const cookie = await startPortalSession(s, { userId: who.userId, resellerId: who.resellerId, accountId: who.accountId, userAgent: request.headers.get("user-agent"), ip: context.clientIp });
    return redirect(next, { headers: { "Set-Cookie": cookie } });
  } catch (e) {
    return refusal(e);
  }
}

export async function portalLogoutAction({ request, context }: PageArgs) {
  const s = context.services;
  const who = await signedInReseller(s, request);
  try {
    const form = await readAuthForm(request);
    if (who) {
      who.checkCsrf(form.get("csrf"));
      await signOutResellerSession(s, { userId: who.user.id, resellerId: who.reseller.id, accountId: who.reseller.account_id, sessionKey: who.sessionKey }, context.clientIp);
    }
  } catch (e) {
    return refusal(e);
  }
  return redirect("/portal/login?signedOut=1", { headers: { "Set-Cookie": await clearPortalCookie(s, request) } });
}

/** The signed-in reseller user's language (the switch in the portal's menu). */
export async function portalLocaleAction({ request, context }: PageArgs) {
  const s = context.services;
  const who = await signedInReseller(s, request);
  if (!who) return redirect("/portal/login");
  try {
    const form = await readAuthForm(request);
    who.checkCsrf(form.get("csrf"));
    const locale = form.get("locale");
    if (isLocale(locale)) await setResellerUserLocale(s.db, who.user.id, locale);
    return redirect(portalNext(form.get("redirectTo")));
  } catch (e) {
    return refusal(e);
  }
}

// The token is in the URL: never cached, never sent on as a Referer, never indexed.
const INVITE_HEADERS = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex" };

export async function portalInviteLoader(args: PageArgs) {
  const { csrf, cookie } = await signedOutForm(args);
  const headers = { ...INVITE_HEADERS, "Set-Cookie": cookie };
  try {
    const view = await openResellerInvitation(args.context.services, args.params.token, args.context.clientIp ?? null);
    return data({ ok: true as const, csrf, ...view }, { headers });
  } catch (e) {
    return refusal(e, headers);
  }
}

export async function portalInviteAction({ request, context, params }: PageArgs) {
  const s = context.services;
  const session = await getPortalSession(s, request);
  try {
    const form = await readAuthForm(request);
    verifyCsrf(session.get("loginCsrf"), form.get("csrf"));
    const locale = form.get("locale");
    const accepted = await acceptResellerInvitation(s, { token: params.token, password: form.get("password") ?? "", confirm: form.get("confirm") ?? "", locale: isLocale(locale) ? locale : null, ip: context.clientIp });
    // Signed in at once, as a team invitation does: a fresh session, nothing from before survives.
    const cookie = await startPortalSession(s, { userId: accepted.userId, resellerId: accepted.resellerId, accountId: accepted.accountId, userAgent: request.headers.get("user-agent"), ip: context.clientIp });
    return redirect("/portal", { headers: { "Set-Cookie": cookie, ...INVITE_HEADERS } });
  } catch (e) {
    return refusal(e, INVITE_HEADERS);
  }
}
