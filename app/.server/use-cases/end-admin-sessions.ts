import { revokeAdminSession, revokeAdminSessions } from "../db/repositories/admin-sessions-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { requireAdminByEmail } from "./find-admin-by-email.ts";
import type { Actor } from "./manage-pools.ts";

/** Whose sessions: the signed-in user (their id and account), never anyone else's. */
export interface SessionOwner {
  userId: string;
  accountId: string;
}

/**
 * Signs out of the session a request came with (the sign-out button). Nothing to do for a session
 * that had already ended.
 */
export async function signOutAdminSession(s: Pick<Services, "db">, owner: SessionOwner, sessionId: string, ip: string | null): Promise<void> {
  await s.db.transaction().execute(async (trx) => {
    if ((await revokeAdminSession(trx, owner.userId, sessionId, new Date())) === 0) return;
    await recordAudit(trx, { accountId: owner.accountId, actorType: "admin", actorId: owner.userId, action: "admin.logout", subjectType: "admin_session", subjectId: sessionId, ip });
  });
}

/**
 * Ends one of the owner's sessions from the sessions page. Another user's session id, an unknown
 * one and an ended one are all session_not_found (404) and change nothing.
 */
export async function endAdminSession(s: Pick<Services, "db">, owner: SessionOwner, sessionId: string, ip: string | null): Promise<void> {
  await s.db.transaction().execute(async (trx) => {
    if ((await revokeAdminSession(trx, owner.userId, sessionId, new Date())) === 0) {
      throw new InvalidInputError("session_not_found", "No such session.", { field: "sessionId" });
    }
    await recordAudit(trx, {
      accountId: owner.accountId,
      actorType: "admin",
      actorId: owner.userId,
      action: "admin.session_ended",
      subjectType: "admin_session",
      subjectId: sessionId,
      ip,
    });
  });
}

/**
 * Ends every session of the owner ("sign out everywhere"), or every one but `keep` ("everywhere
 * else"). Returns how many ended.
 */
export async function endAdminSessions(
  s: Pick<Services, "db">,
  owner: SessionOwner,
  opts: { keep?: string; actor: Actor; ip?: string | null },
): Promise<number> {
  return s.db.transaction().execute(async (trx) => {
    const ended = await revokeAdminSessions(trx, owner.userId, new Date(), opts.keep);
    await recordAudit(trx, {
      accountId: owner.accountId,
      actorType: opts.actor.type,
      actorId: opts.actor.id ?? null,
      action: "admin.sessions_ended",
      subjectType: "admin_user",
      subjectId: owner.userId,
      details: { scope: opts.keep ? "others" : "all", ended },
      ip: opts.ip ?? null,
    });
    return ended;
  });
}

/** `admin sign-out --email E`: ends all of that admin's sessions. */
export async function signOutAdminEverywhere(s: Pick<Services, "db">, email: string): Promise<{ email: string; ended: number }> {
  const user = await requireAdminByEmail(s.db, email);
  const ended = await endAdminSessions(s, { userId: user.id, accountId: user.account_id }, { actor: { type: "cli" } });
  return { email: user.email, ended };
}
