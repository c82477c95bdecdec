import crypto from "node:crypto";
import { createCookieSessionStorage, redirect, type Session, type SessionStorage } from "react-router";
import { getAdminUser } from "../db/repositories/admin-users-repo.ts";
import type { AdminUser } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { readRawBody } from "../http/read-body.ts";
import type { Services } from "../ports.ts";

/**
 * The standalone admin's login: a signed, httpOnly, SameSite=Lax cookie holding the user id, when
 * the login happened, and a CSRF token. Every state-changing form posts the token back
 * (verifyCsrf). A login lasts SESSION_MAX_AGE_MS from sign-in whatever the cookie says: a copied
 * cookie stops working on the server, not only in the browser that honours Max-Age.
 */
export interface SessionData {
  userId: string;
  /** Date.now() at sign-in. */
  issuedAt: number;
  csrf: string;
  flash?: string;
}

export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;
/** Web processes' clocks may differ a little; a session "from the future" beyond this is refused. */
const CLOCK_SKEW_MS = 60 * 1000;

const storages = new WeakMap<Services, SessionStorage<SessionData>>();

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

/** The signed-in user's id, if the session has one and is within its lifetime. */
export function signedInUserId(session: Session<SessionData>, now = Date.now()): string | undefined {
  const userId = session.get("userId");
  const issuedAt: unknown = session.get("issuedAt");
  if (!userId || typeof issuedAt !== "number" || !Number.isFinite(issuedAt)) return undefined;
  const age = now - issuedAt;
  return age >= -CLOCK_SKEW_MS && age <= SESSION_MAX_AGE_MS ? userId : undefined;
}

/** A brand-new session for a user who just signed in; returns its Set-Cookie header. */
export async function startAdminSession(s: Services, userId: string): Promise<string> {
  const storage = adminSessionStorage(s);
  // Nothing from before the login survives (session fixation).
  const fresh = await storage.getSession();
  fresh.set("userId", userId);
  fresh.set("issuedAt", Date.now());
  ensureCsrf(fresh);
  return storage.commitSession(fresh);
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

/** A CSRF token for the session, created on first use; the caller must commit the session. */
export function ensureCsrf(session: Session<SessionData>): string {
  let token = session.get("csrf");
  if (!token) {
    token = crypto.randomBytes(24).toString("base64url");
    session.set("csrf", token);
  }
  return token;
}

export function verifyCsrf(session: Session<SessionData>, submitted: FormDataEntryValue | null): void {
  const expected = session.get("csrf");
  const given = typeof submitted === "string" ? submitted : "";
  if (!expected || given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    throw new InvalidInputError("csrf", "CSRF token missing or wrong");
  }
}

export interface AdminContext {
  user: AdminUser;
  accountId: string;
  session: Session<SessionData>;
}

/**
 * The signed-in standalone admin, or a redirect to /login that returns here afterwards (clearing
 * the cookie) when there is no session, it is older than SESSION_MAX_AGE_MS, or its user is gone
 * or disabled.
 */
export async function requireAdmin(s: Services, request: Request): Promise<AdminContext> {
  const session = await getSession(s, request);
  const userId = signedInUserId(session);
  const user = userId ? await getAdminUser(s.db, userId) : undefined;
  if (!user || user.disabled) {
    const url = new URL(request.url);
    const headers: HeadersInit = session.get("userId") ? { "Set-Cookie": await adminSessionStorage(s).destroySession(session) } : {};
    throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, { headers });
  }
  return { user, accountId: user.account_id, session };
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
