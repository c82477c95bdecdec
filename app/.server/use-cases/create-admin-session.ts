import { hashSessionId, newSessionId } from "../crypto/admin-session-token.ts";
import { insertAdminSession, pruneAdminSessions } from "../db/repositories/admin-sessions-repo.ts";
import { sessionExpiry } from "../domain/admin-session-rules.ts";
import { describeDevice } from "../domain/device-description.ts";
import type { Services } from "../ports.ts";

/**
 * A new session record for a user who just signed in. Returns the session id for the cookie;
 * only its hash is stored. The user's ended sessions are forgotten on the way (sign-in and sign-out
 * are in the audit log).
 */
export async function createAdminSession(
  s: Pick<Services, "db">,
  input: { userId: string; accountId: string; userAgent: string | null; ip: string | null },
  now = new Date(),
): Promise<{ sessionId: string }> {
  const sessionId = newSessionId();
  const at = now.toISOString();
  await s.db.transaction().execute(async (trx) => {
    await pruneAdminSessions(trx, input.userId, now);
    await insertAdminSession(trx, {
      id: hashSessionId(sessionId),
      admin_user_id: input.userId,
      account_id: input.accountId,
      created_at: at,
      last_seen_at: at,
      expires_at: sessionExpiry(now).toISOString(),
      revoked_at: null,
      user_agent: describeDevice(input.userAgent),
      ip: input.ip,
    });
  });
  return { sessionId };
}
