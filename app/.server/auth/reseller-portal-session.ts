import { createCookieSessionStorage, redirect, type Session, type SessionStorage } from "react-router";
import type { Reseller, ResellerUser } from "../db/schema.ts";
import { SESSION_MAX_AGE_MS } from "../domain/admin-session-rules.ts";
import type { Services } from "../ports.ts";
import type { ResellerCaller } from "../use-cases/authenticate-reseller.ts";
import { createResellerSession, portalCaller, resolveResellerSession } from "../use-cases/reseller-portal-session.ts";
import { safeNext, sessionCsrf, verifyCsrf } from "./admin-session.ts";

/**
 * The reseller portal's login (/portal): the admin's cookie machinery with a cookie of its own
 * (`keyrelay_portal`) that resolves only against reseller_sessions: an admin cookie means nothing
 * here and a portal cookie nothing in the admin. Its path is "/", not "/portal": the portal's own
 * data requests include `/portal.data` (the catalog's), which a cookie of path /portal never reaches. CSRF: the admin's scheme — a signed-in session's token is an HMAC of its id; the
 * login form's token is the only thing a signed-out cookie holds.
 */
export interface PortalSessionData {
  sid?: string;
  loginCsrf?: string;
}

export const PORTAL_COOKIE = "keyrelay_portal";

const storages = new WeakMap<Services, SessionStorage<PortalSessionData>>();

export function portalSessionStorage(s: Services): SessionStorage<PortalSessionData> {
  let storage = storages.get(s);
  if (!storage) {
    storage = createCookieSessionStorage<PortalSessionData>({
      cookie: { name: PORTAL_COOKIE, httpOnly: true, sameSite: "lax", path: "/", secure: s.config.appUrl.startsWith("https://"), secrets: [s.sessionSecret], maxAge: SESSION_MAX_AGE_MS / 1000 },
    });
    storages.set(s, storage);
  }
  return storage;
}

export function getPortalSession(s: Services, request: Request): Promise<Session<PortalSessionData>> {
  return portalSessionStorage(s).getSession(request.headers.get("cookie"));
}

export interface SignedInReseller {
  user: ResellerUser;
  reseller: Reseller;
  /** What the reseller use-cases (the API's too) take as their caller. */
  caller: ResellerCaller;
  sessionKey: string;
  csrf: string;
  checkCsrf(submitted: FormDataEntryValue | string | null | undefined): void;
}

const resolved = new WeakMap<Request, Promise<SignedInReseller | undefined>>();

/** The signed-in reseller user of this request, or undefined; resolved once per request. */
export function signedInReseller(s: Services, request: Request): Promise<SignedInReseller | undefined> {
  let found = resolved.get(request);
  if (!found) {
    found = (async () => {
      const sid = (await getPortalSession(s, request)).get("sid");
      const r = await resolveResellerSession(s, sid);
      if (!r || !sid) return undefined;
      const csrf = sessionCsrf(s, sid);
      return { user: r.user, reseller: r.reseller, caller: portalCaller(r), sessionKey: r.session.id, csrf, checkCsrf: (v) => verifyCsrf(csrf, v) };
    })();
    resolved.set(request, found);
  }
  return found;
}

/** The signed-in reseller user, or a redirect to /portal/login that returns here (forgetting an ended cookie). */
export async function requirePortalUser(s: Services, request: Request): Promise<SignedInReseller> {
  const who = await signedInReseller(s, request);
  if (who) return who;
  const url = new URL(request.url);
  const session = await getPortalSession(s, request);
  const headers: HeadersInit = session.get("sid") ? { "Set-Cookie": await portalSessionStorage(s).destroySession(session) } : {};
  throw redirect(`/portal/login?next=${encodeURIComponent(url.pathname + url.search)}`, { headers });
}

/** A brand-new session (nothing from before the login survives); returns its Set-Cookie header. */
export async function startPortalSession(s: Services, input: { userId: string; resellerId: string; accountId: string; userAgent: string | null; ip: string | null }): Promise<string> {
  const { sessionId } = await createResellerSession(s, input);
  const storage = portalSessionStorage(s);
  const fresh = await storage.getSession();
  fresh.set("sid", sessionId);
  return storage.commitSession(fresh);
}

export async function clearPortalCookie(s: Services, request: Request): Promise<string> {
  return portalSessionStorage(s).destroySession(await getPortalSession(s, request));
}

/** Only paths inside the portal: anything else (another site, the admin) goes to the catalog. */
export function portalNext(next: string | null | undefined): string {
  // safeNext keeps only a path of this site, resolved (no "/portal/../admin"); then it must be the portal's.
  const path = safeNext(next);
  return /^\/portal(\/|$|\?|#)/.test(path) ? path : "/portal";
}
