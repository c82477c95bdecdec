import { createCookieSessionStorage, redirect, type Session, type SessionStorage } from "react-router";
import { csrfKey, csrfTokenFor, newSessionId, tokensEqual } from "../crypto/admin-session-token.ts";
import type { AdminUser } from "../db/schema.ts";
import { SESSION_MAX_AGE_MS } from "../domain/admin-session-rules.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { readRawBody } from "../http/read-body.ts";
import type { Services } from "../ports.ts";
import { createAdminSession } from "../use-cases/create-admin-session.ts";
import { resolveAdminSession } from "../use-cases/resolve-admin-session.ts";
import { ownerMustEnrol } from "../use-cases/two-factor-gate.ts";
import { allowedBeforeEnrolment } from "../domain/two-factor-rules.ts";

/**
 * The standalone admin's login. The browser holds a signed, httpOnly, SameSite=Lax cookie with a
 * random session id and nothing else; the server keeps the session's record (admin_sessions, under
 * the id's SHA-256) and checks it on every request, so signing out, a password change or removing
 * the admin ends every copy of the cookie at once. A session lasts SESSION_MAX_AGE_MS from sign-in.
 *
 * CSRF: a signed-in session's token is derived from its id (crypto/admin-session-token.ts), so it
 * is bound to that one session and ends with it. Before sign-in, the login form's token is the
 * only thing the cookie holds (loginCsrf).
 */
export interface SessionData {
  /** The session id (only while signed in). */
  sid?: string;
  /** The login form's CSRF token (only while signed out). */
  loginCsrf?: string;
  /** After a right password, for an admin with two-step verification: the pending step's id (use-cases/complete-two-factor-login.ts). */
  twoFactor?: string;
}

export { SESSION_MAX_AGE_MS };

const storages = new WeakMap<Services, SessionStorage<SessionData>>();
const csrfKeys = new WeakMap<Services, Buffer>();

export function adminSessionStorage(s: Services): SessionStorage<SessionData> {
  let storage = storages.get(s);
  if (!storage) {
    storage = createCookieSessionStorage<SessionData>({
      cookie: {
        name: "keyrelay_admin",
        httpOnly: true,
        sameSite: "lax",
        path: "/",
        secure: s.config.appUrl.startsWith("https://"),
        secrets: [s.sessionSecret],
        maxAge: SESSION_MAX_AGE_MS / 1000,
      },
    });
    storages.set(s, storage);
  }
  return storage;
}

export async function getSession(s: Services, request: Request): Promise<Session<SessionData>> {
  return adminSessionStorage(s).getSession(request.headers.get("cookie"));
}

/** The CSRF token of a signed-in session (forms post it back). */
export function sessionCsrf(s: Services, sessionId: string): string {
  let key = csrfKeys.get(s);
  if (!key) {
    key = csrfKey(s.sessionSecret);
    csrfKeys.set(s, key);
  }
  return csrfTokenFor(key, sessionId);
}

export interface SignedInAdmin {
  user: AdminUser;
  accountId: string;
  /** The session record's key (the SHA-256 of the cookie's id): what the sessions page calls "this device". */
  sessionKey: string;
  /** The CSRF token forms post back. */
  csrf: string;
  /** Throws InvalidInputError("csrf") unless `submitted` is this session's token. */
  checkCsrf(submitted: FormDataEntryValue | string | null | undefined): void;
}

/**
 * One lookup per request: the root, layout and page loaders of a request all ask, and the record
 * is read (and last_seen_at written) once.
 */
const resolved = new WeakMap<Request, Promise<SignedInAdmin | undefined>>();

/** The signed-in admin of this request, or undefined (no cookie; unknown, ended or expired session; user gone or disabled). */
export function signedInAdmin(s: Services, request: Request): Promise<SignedInAdmin | undefined> {
  let found = resolved.get(request);
  if (!found) {
    found = (async () => {
      const sid = (await getSession(s, request)).get("sid");
      const r = await resolveAdminSession(s, sid);
      if (!r || !sid) return undefined;
      const csrf = sessionCsrf(s, sid);
      return {
        user: r.user,
        accountId: r.user.account_id,
        sessionKey: r.session.id,
        csrf,
        checkCsrf: (submitted) => verifyCsrf(csrf, submitted),
      };
    })();
    resolved.set(request, found);
  }
  return found;
}

/** A brand-new session for a user who just signed in; returns its Set-Cookie header. */
export async function startAdminSession(
  s: Services,
  input: { userId: string; accountId: string; userAgent: string | null; ip: string | null },
): Promise<string> {
  const { sessionId } = await createAdminSession(s, input);
  const storage = adminSessionStorage(s);
  // Nothing from before the login survives (session fixation): a new cookie with the new id only.
  const fresh = await storage.getSession();
  fresh.set("sid", sessionId);
  return storage.commitSession(fresh);
}

/** The Set-Cookie header that forgets the admin cookie in this browser. */
export async function clearAdminCookie(s: Services, request: Request): Promise<string> {
  return adminSessionStorage(s).destroySession(await getSession(s, request));
}

/** The login form's CSRF token, created on first use; the caller must commit the session. */
export function ensureLoginCsrf(session: Session<SessionData>): string {
  let token = session.get("loginCsrf");
  if (!token) {
    token = newSessionId();
    session.set("loginCsrf", token);
  }
  return token;
}

/** Login and logout post a few short fields; anything bigger is refused before it is parsed. */
export const AUTH_FORM_LIMIT = 16 * 1024;

/**
 * The fields of a login or logout form (application/x-www-form-urlencoded, which is what
 * React Router's Form and useSubmit send). Throws body_too_large (413) past AUTH_FORM_LIMIT bytes,
 * whether the Content-Length says so or the body streams more.
 */
export async function readAuthForm(request: Request): Promise<URLSearchParams> {
  const body = await readRawBody(request, AUTH_FORM_LIMIT);
  return new URLSearchParams(body.toString("utf8"));
}

/** Throws InvalidInputError("csrf") unless `submitted` is the `expected` token (timing-safe). */
export function verifyCsrf(expected: string | undefined, submitted: FormDataEntryValue | string | null | undefined): void {
  if (!expected || !tokensEqual(expected, submitted)) throw new InvalidInputError("csrf", "CSRF token missing or wrong");
}

export type AdminContext = SignedInAdmin;

/**
 * The signed-in standalone admin, or a redirect to /login that returns here afterwards (clearing
 * the cookie) when there is no session, it has ended or expired, or its user is gone or disabled.
 */
export async function requireAdmin(s: Services, request: Request): Promise<AdminContext> {
  const admin = await signedInAdmin(s, request);
  if (!admin) {
    const url = new URL(request.url);
    const session = await getSession(s, request);
    const headers: HeadersInit = session.get("sid") ? { "Set-Cookie": await adminSessionStorage(s).destroySession(session) } : {};
    throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, { headers });
  }
  // An owner of an account that requires two-step verification, without it: only its page.
  if (admin.user.role === "owner" && !allowedBeforeEnrolment(new URL(request.url).pathname) && (await ownerMustEnrol(s, admin.user))) {
    throw redirect("/admin/two-factor");
  }
  return admin;
}

const NEXT_BASE = "http://keyrelay.invalid";
const DEFAULT_NEXT = "/admin";

/**
 * Only paths on this site: an open redirect would let a phishing link bounce through us.
 * Browsers forgive a lot in a Location (they drop tabs and newlines, read a backslash as "/"), so any
 * control character or backslash refuses the value outright; what is left must resolve to our
 * own origin, and only its path, query and fragment are kept.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || /[\x00-\x1f\x7f\\]/.test(next)) return DEFAULT_NEXT;
  let url: URL;
  try {
    url = new URL(next, NEXT_BASE);
  } catch {
    return DEFAULT_NEXT;
  }
  if (url.origin !== NEXT_BASE) return DEFAULT_NEXT;
  return url.pathname + url.search + url.hash;
}
