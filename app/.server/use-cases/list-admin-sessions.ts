import { listActiveAdminSessions } from "../db/repositories/admin-sessions-repo.ts";
import type { Services } from "../ports.ts";
import { requireAdminByEmail } from "./find-admin-by-email.ts";

export interface AdminSessionSummary {
  /** The record's key (the SHA-256 of the cookie's id): a handle for "sign out", not a login. */
  id: string;
  /** "Chrome 142 · Linux", or null when the client said nothing. */
  device: string | null;
  ip: string | null;
  signedInAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** The session this request came with. */
  current: boolean;
}

/** A user's sessions that still work, most recently seen first; only ever their own. */
export async function listAdminSessions(
  s: Pick<Services, "db">,
  userId: string,
  currentId: string | null,
  now = new Date(),
): Promise<AdminSessionSummary[]> {
  const rows = await listActiveAdminSessions(s.db, userId, now);
  return rows.map((r) => ({
    id: r.id,
    device: r.user_agent,
    ip: r.ip,
    signedInAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    current: r.id === currentId,
  }));
}

/** `admin sessions --email E`. */
export async function listAdminSessionsByEmail(s: Pick<Services, "db">, email: string, now = new Date()) {
  const user = await requireAdminByEmail(s.db, email);
  return { email: user.email, sessions: await listAdminSessions(s, user.id, null, now) };
}
