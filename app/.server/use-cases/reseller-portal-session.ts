import { hashSessionId, isSessionIdShaped, newSessionId } from "../crypto/admin-session-token.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findResellerSession, getResellerUser, insertResellerSession, pruneResellerSessions, revokeResellerSession, touchResellerSession } from "../db/repositories/reseller-portal-repo.ts";
import { findReseller } from "../db/repositories/resellers-repo.ts";
import type { Reseller, ResellerSession, ResellerUser } from "../db/schema.ts";
import { LAST_SEEN_INTERVAL_MS, sessionExpiry, sessionState, shouldTouch } from "../domain/admin-session-rules.ts";
import { describeDevice } from "../domain/device-description.ts";
import type { Services } from "../ports.ts";
import type { ResellerCaller } from "./authenticate-reseller.ts";

/**
 * The portal's sessions: the admin's machinery (a random id in the cookie, its SHA-256 as the
 * record key, the same lifetime and last-seen rules) on a table of its own, reseller_sessions, so
 * an admin cookie can never resolve to a reseller and a portal cookie never to an admin.
 */

export async function createResellerSession(
  s: Pick<Services, "db">,
  input: { userId: string; resellerId: string; accountId: string; userAgent: string | null; ip: string | null },
  now = new Date(),
): Promise<{ sessionId: string }> {
  const sessionId = newSessionId();
  const at = now.toISOString();
  await s.db.transaction().execute(async (trx) => {
    await pruneResellerSessions(trx, input.userId, now);
    await insertResellerSession(trx, {
      id: hashSessionId(sessionId),
      reseller_user_id: input.userId,
      reseller_id: input.resellerId,
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

export interface ResolvedResellerSession {
  user: ResellerUser;
  reseller: Reseller;
  session: ResellerSession;
}

/**
 * Who a portal cookie belongs to, checked on every request: an unknown, revoked or expired
 * session, a disabled user, a reseller gone or suspended is nobody (a suspended reseller's people
 * are signed out at their next request). The reseller row is read fresh each time.
 */
export async function resolveResellerSession(s: Pick<Services, "db">, sessionId: unknown, now = new Date()): Promise<ResolvedResellerSession | undefined> {
  if (!isSessionIdShaped(sessionId)) return undefined;
  const session = await findResellerSession(s.db, hashSessionId(sessionId));
  if (!session || sessionState(session, now) !== "active") return undefined;
  const user = await getResellerUser(s.db, session.reseller_user_id);
  if (!user || user.disabled || user.reseller_id !== session.reseller_id || user.account_id !== session.account_id) return undefined;
  const reseller = await findReseller(s.db, session.account_id, session.reseller_id);
  if (!reseller || reseller.status !== "active") return undefined;
  if (shouldTouch(session.last_seen_at, now)) {
    await touchResellerSession(s.db, session.id, { now, seenBefore: new Date(now.getTime() - LAST_SEEN_INTERVAL_MS) });
  }
  return { user, reseller, session };
}

/** The portal's caller for the reseller use-cases the API also runs: live mode, every scope the portal offers. */
export function portalCaller(r: ResolvedResellerSession): ResellerCaller {
  return { reseller: r.reseller, tokenId: null, portalUserId: r.user.id, mode: "live", scopes: ["catalog:read", "orders:read", "orders:write", "balance:read", "webhooks:write"] };
}

/** Signs out of this session (nothing to do when it had ended already). */
export async function signOutResellerSession(s: Pick<Services, "db">, r: { userId: string; resellerId: string; accountId: string; sessionKey: string }, ip: string | null): Promise<void> {
  await s.db.transaction().execute(async (trx) => {
    if ((await revokeResellerSession(trx, r.userId, r.sessionKey, new Date())) === 0) return;
    await recordAudit(trx, { accountId: r.accountId, actorType: "reseller", actorId: r.resellerId, action: "reseller.portal_logout", subjectType: "reseller_user", subjectId: r.userId, ip });
  });
}
