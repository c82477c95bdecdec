import { countActiveAdminSessions, listActiveAdminSessions } from "../db/repositories/admin-sessions-repo.ts";
import type { AdminSession } from "../db/schema.ts";
import type { Services } from "../ports.ts";
import { requireAdminByEmail } from "./find-admin-by-email.ts";

export interface AdminSessionSummary {
  /** The record's key (the SHA-256 of the cookie's id): a handle for "sign out", not a login. */
  id: string;
  /** "Chrome 142 · Linux", or null when the client said nothing. */
  device: string | null;
  /** The address the session signed in from. */
  ip: string | null;
  signedInAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** The session this request came with. */
  current: boolean;
}

/** An admin can have many sessions (scripts, devices): the page shows this many at a time. */
export const SESSIONS_PAGE_SIZE = 50;

export interface AdminSessionsPage {
  sessions: AdminSessionSummary[];
  /** 1-based; a page past the end is clamped to the last one. */
  page: number;
  pageCount: number;
  total: number;
}

function summary(r: AdminSession, currentId: string | null): AdminSessionSummary {
  return {
    id: r.id,
    device: r.user_agent,
    ip: r.ip,
    signedInAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    current: r.id === currentId,
  };
}

/**
 * A page of the user's sessions that still work: the one asking first ("this device"), then the
 * most recently seen. Only ever their own.
 */
export async function listAdminSessions(
  s: Pick<Services, "db">,
  userId: string,
  currentId: string | null,
  opts: { page?: number; now?: Date } = {},
): Promise<AdminSessionsPage> {
  const now = opts.now ?? new Date();
  const total = await countActiveAdminSessions(s.db, userId, now);
  const pageCount = Math.max(1, Math.ceil(total / SESSIONS_PAGE_SIZE));
  const wanted = opts.page !== undefined && Number.isSafeInteger(opts.page) && opts.page > 0 ? opts.page : 1;
  const page = Math.min(wanted, pageCount);
  const rows = await listActiveAdminSessions(s.db, userId, now, {
    first: currentId,
    page: { limit: SESSIONS_PAGE_SIZE, offset: (page - 1) * SESSIONS_PAGE_SIZE },
  });
  return { sessions: rows.map((r) => summary(r, currentId)), page, pageCount, total };
}

/** `admin sessions --email E`: every session that still works (a terminal can take them all). */
export async function listAdminSessionsByEmail(s: Pick<Services, "db">, email: string, now = new Date()): Promise<{ email: string; sessions: AdminSessionSummary[] }> {
  const user = await requireAdminByEmail(s.db, email);
  const rows = await listActiveAdminSessions(s.db, user.id, now);
  return { email: user.email, sessions: rows.map((r) => summary(r, null)) };
}
