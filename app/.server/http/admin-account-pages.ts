import { data, redirect } from "react-router";
import { AUTH_FORM_LIMIT, clearAdminCookie, requireAdmin } from "../auth/admin-session.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { changeOwnPassword } from "../use-cases/change-admin-password.ts";
import { MIN_PASSWORD_LENGTH } from "../use-cases/create-admin-user.ts";
import { endAdminSession, endAdminSessions } from "../use-cases/end-admin-sessions.ts";
import { listAdminSessions } from "../use-cases/list-admin-sessions.ts";
import { errorData, type PageArgs, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";

/**
 * The standalone admin's own account pages: its sessions (/admin/sessions) and its password
 * (/admin/password). Standalone only: in the Shopify admin, sessions are Shopify's (App Bridge
 * session tokens) and there is no keyrelay password.
 */

/** A failed action: another user's (or an unknown) session is 404, a rate limit 429 with Retry-After. */
function failure(e: unknown) {
  if (e instanceof KeyrelayError && e.code === "session_not_found") {
    return data({ ok: false as const, error: { code: e.code, params: e.params } satisfies PageError }, { status: 404 });
  }
  if (e instanceof KeyrelayError && e.code === "login_rate_limited") {
    const seconds = (e as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    const headers: HeadersInit = typeof seconds === "number" ? { "Retry-After": String(seconds) } : {};
    return data({ ok: false as const, error: { code: e.code, params: e.params } satisfies PageError }, { status: 429, headers });
  }
  return errorData(e);
}

/** This browser is signed out too: its cookie is forgotten and it lands on the login page. */
async function signedOut(s: Services, request: Request) {
  return redirect("/login?signedOut=1", { headers: { "Set-Cookie": await clearAdminCookie(s, request) } });
}

export async function sessionsLoader({ request, context }: PageArgs) {
  const s = context.services;
  const admin = await requireAdmin(s, request);
  const page = Number(new URL(request.url).searchParams.get("page") ?? "1");
  const list = await listAdminSessions(s, admin.user.id, admin.sessionKey, { page });
  return { csrf: admin.csrf, ...list };
}

export type SessionsActionData = { ok: false; error: PageError } | { ok: true; intent: "end" } | { ok: true; intent: "endOthers"; ended: number };

export async function sessionsAction({ request, context }: PageArgs) {
  const s = context.services;
  const admin = await requireAdmin(s, request);
  const owner = { userId: admin.user.id, accountId: admin.accountId };
  const ip = context.clientIp;
  try {
    const form = await readForm(request, AUTH_FORM_LIMIT);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    if (intent === "end") {
      const sessionId = form.get("sessionId") ?? "";
      await endAdminSession(s, owner, sessionId, ip);
      if (sessionId === admin.sessionKey) return signedOut(s, request);
      return data<SessionsActionData>({ ok: true, intent });
    }
    if (intent === "endOthers") {
      const ended = await endAdminSessions(s, owner, { keep: admin.sessionKey, actor: { type: "admin", id: owner.userId }, ip });
      return data<SessionsActionData>({ ok: true, intent, ended });
    }
    if (intent === "endAll") {
      await endAdminSessions(s, owner, { actor: { type: "admin", id: owner.userId }, ip });
      return signedOut(s, request);
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { field: "intent", params: { detail: "intent" } });
  } catch (e) {
    return failure(e);
  }
}

export async function passwordLoader({ request, context }: PageArgs) {
  const admin = await requireAdmin(context.services, request);
  return { csrf: admin.csrf, email: admin.user.email, minLength: MIN_PASSWORD_LENGTH };
}

export type PasswordActionData = { ok: false; error: PageError } | { ok: true; sessionsEnded: number };

export async function passwordAction({ request, context }: PageArgs) {
  const s = context.services;
  const admin = await requireAdmin(s, request);
  try {
    const form = await readForm(request, AUTH_FORM_LIMIT);
    admin.checkCsrf(form.get("csrf"));
    const { sessionsEnded } = await changeOwnPassword(s, {
      userId: admin.user.id,
      currentSessionId: admin.sessionKey,
      currentPassword: form.get("currentPassword") ?? "",
      newPassword: form.get("newPassword") ?? "",
      confirmPassword: form.get("confirmPassword") ?? "",
      ip: context.clientIp,
    });
    return data<PasswordActionData>({ ok: true, sessionsEnded });
  } catch (e) {
    return failure(e);
  }
}
