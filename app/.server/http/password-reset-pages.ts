import { data, redirect } from "react-router";
import { adminSessionStorage, AUTH_FORM_LIMIT, ensureLoginCsrf, getSession, verifyCsrf } from "../auth/admin-session.ts";
import { MIN_PASSWORD_LENGTH } from "../auth/password-policy.ts";
import { KeyrelayError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { isResetRefusal, openResetLink, requestPasswordReset, ResetRateLimitedError, resetPassword } from "../use-cases/password-reset.ts";
import { resolveLocale } from "./resolve-locale.ts";
import { errorData, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";

/**
 * /forgot-password (ask for a link) and /reset-password/:token (set a new password). Both are
 * outside the admin, before there is a session; their forms carry the login form's CSRF token.
 * The reset page is no-store and no-referrer: its URL is the secret.
 */
interface Args {
  request: Request;
  context: { services: Services; clientIp: string };
  params?: { token?: string };
}

const PRIVATE = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };

async function withCsrf(s: Services, request: Request) {
  const session = await getSession(s, request);
  const csrf = ensureLoginCsrf(session);
  return { csrf, cookie: await adminSessionStorage(s).commitSession(session) };
}

export async function forgotLoader({ request, context }: Args) {
  const { csrf, cookie } = await withCsrf(context.services, request);
  return data({ csrf }, { headers: { "Set-Cookie": cookie } });
}

export type ForgotActionData = { ok: true } | { ok: false; error: PageError };

export async function forgotAction({ request, context }: Args) {
  const s = context.services;
  try {
    const form = await readForm(request, AUTH_FORM_LIMIT);
    verifyCsrf((await getSession(s, request)).get("loginCsrf"), form.get("csrf"));
    await requestPasswordReset(s, { email: form.get("email") ?? "", ip: context.clientIp, locale: resolveLocale({ request, fallback: "en" }) });
    // The same answer whether or not the email has a login.
    return data<ForgotActionData>({ ok: true });
  } catch (e) {
    if (e instanceof ResetRateLimitedError) {
      return data<ForgotActionData>({ ok: false, error: { code: e.code, params: e.params } }, { status: 429, headers: { "Retry-After": String(e.retryAfterSeconds) } });
    }
    return errorData(e);
  }
}

function refusal(e: unknown) {
  if (!isResetRefusal(e)) throw e;
  return { status: e.code === "reset_link_unknown" ? 404 : 410, error: { code: e.code, params: e.params } satisfies PageError };
}

export async function resetLoader({ request, context, params }: Args) {
  const s = context.services;
  const { csrf, cookie } = await withCsrf(s, request);
  const headers = { ...PRIVATE, "Set-Cookie": cookie };
  try {
    const { user } = await openResetLink(s, params?.token, context.clientIp);
    return data({ csrf, email: user.email as string | null, minLength: MIN_PASSWORD_LENGTH, refused: null as PageError | null }, { headers });
  } catch (e) {
    const r = refusal(e);
    return data({ csrf, email: null as string | null, minLength: MIN_PASSWORD_LENGTH, refused: r.error as PageError | null }, { status: r.status, headers });
  }
}

export type ResetActionData = { ok: false; error: PageError };

export async function resetAction({ request, context, params }: Args) {
  const s = context.services;
  try {
    const form = await readForm(request, AUTH_FORM_LIMIT);
    verifyCsrf((await getSession(s, request)).get("loginCsrf"), form.get("csrf"));
    await resetPassword(s, { token: params?.token, password: form.get("password") ?? "", confirm: form.get("confirm") ?? "", ip: context.clientIp });
    // Not signed in: the next sign-in asks for the new password, and for the code when 2FA is on.
    return redirect("/login?notice=passwordReset", { headers: PRIVATE });
  } catch (e) {
    if (isResetRefusal(e)) {
      const r = refusal(e);
      return data<ResetActionData>({ ok: false, error: r.error }, { status: r.status, headers: PRIVATE });
    }
    if (e instanceof KeyrelayError && e.kind === "invalid_input") return errorData(e);
    throw e;
  }
}
