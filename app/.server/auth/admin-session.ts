import crypto from "node:crypto";
import { createCookieSessionStorage, redirect, type Session, type SessionStorage } from "react-router";
import { getAdminUser } from "../db/repositories/admin-users-repo.ts";
import type { AdminUser } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../runtime/services.ts";

/**
 * The standalone admin's login: a signed, httpOnly, SameSite=Lax cookie holding the user id and
 * a CSRF token. Every state-changing form posts the token back (verifyCsrf).
 */
export interface SessionData {
  userId: string;
  csrf: string;
  flash?: string;
}

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
        maxAge: 60 * 60 * 12,
      },
    });
    storages.set(s, storage);
  }
  return storage;
}

export async function getSession(s: Services, request: Request): Promise<Session<SessionData>> {
  return adminSessionStorage(s).getSession(request.headers.get("cookie"));
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

/** The signed-in standalone admin, or a redirect to /login that returns here afterwards. */
export async function requireAdmin(s: Services, request: Request): Promise<AdminContext> {
  const session = await getSession(s, request);
  const userId = session.get("userId");
  const user = userId ? await getAdminUser(s.db, userId) : undefined;
  if (!user || user.disabled) {
    const url = new URL(request.url);
    throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return { user, accountId: user.account_id, session };
}

/** Only same-site relative paths: an open redirect would let a phishing link bounce through us. */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/admin";
}
