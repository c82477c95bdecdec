import { hashSessionId, isSessionIdShaped } from "../crypto/admin-session-token.ts";
import { findAdminSession, touchAdminSession } from "../db/repositories/admin-sessions-repo.ts";
import { getAdminUser } from "../db/repositories/admin-users-repo.ts";
import type { AdminSession, AdminUser } from "../db/schema.ts";
import { LAST_SEEN_INTERVAL_MS, sessionState, shouldTouch } from "../domain/admin-session-rules.ts";
import type { Services } from "../ports.ts";

export interface ResolvedAdminSession {
  user: AdminUser;
  session: AdminSession;
}

/**
 * Who a request's session id belongs to, checked against its record on every request: an unknown,
 * revoked or expired session, or one whose user is gone, disabled or moved, is nobody. last_seen_at
 * is written at most once a minute per session.
 */
export async function resolveAdminSession(
  s: Pick<Services, "db">,
  sessionId: unknown,
  now = new Date(),
): Promise<ResolvedAdminSession | undefined> {
  if (!isSessionIdShaped(sessionId)) return undefined;
  const session = await findAdminSession(s.db, hashSessionId(sessionId));
  if (!session || sessionState(session, now) !== "active") return undefined;
  const user = await getAdminUser(s.db, session.admin_user_id);
  if (!user || user.disabled || user.account_id !== session.account_id) return undefined;
  if (shouldTouch(session.last_seen_at, now)) {
    await touchAdminSession(s.db, session.id, { now, seenBefore: new Date(now.getTime() - LAST_SEEN_INTERVAL_MS) });
  }
  return { user, session };
}
