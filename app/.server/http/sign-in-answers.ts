import { data, redirect } from "react-router";
import { startAdminSession } from "../auth/admin-session.ts";
import { deviceCookieHeader } from "../auth/known-device.ts";
import { KeyrelayError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { TooManyAttemptsError } from "../use-cases/log-in-admin.ts";

/**
 * The two answers the sign-in forms (password, then the code of a two-step sign-in) share: the
 * redirect that starts a session, and the refusal of a form's input.
 */

/**
 * A new session (record and cookie) for a user who has just signed in: nothing from before the
 * login survives (session fixation). This browser becomes (or stays) a known device of the email:
 * its own failures are all that limit it from now on.
 */
export async function signedInRedirect(
  s: Services,
  request: Request,
  clientIp: string,
  signedIn: { userId: string; accountId: string; deviceToken: string },
  next: string,
): Promise<Response> {
  const cookie = await startAdminSession(s, {
    userId: signedIn.userId,
    accountId: signedIn.accountId,
    userAgent: request.headers.get("user-agent"),
    ip: clientIp,
  });
  const headers = new Headers([
    ["Set-Cookie", cookie],
    ["Set-Cookie", await deviceCookieHeader(s, signedIn.deviceToken)],
  ]);
  return redirect(next, { headers });
}

/** A refused sign-in form as the page shows it (429 with Retry-After when limited); anything but invalid input is rethrown. */
export function signInRefusal(e: unknown) {
  if (!(e instanceof KeyrelayError) || e.kind !== "invalid_input") throw e;
  const status = e instanceof TooManyAttemptsError ? 429 : e.code === "csrf" ? 403 : e.code === "body_too_large" ? 413 : 401;
  const headers: HeadersInit = e instanceof TooManyAttemptsError ? { "Retry-After": String(e.retryAfterSeconds) } : {};
  return data({ error: { code: e.code, params: e.params } }, { status, headers });
}
