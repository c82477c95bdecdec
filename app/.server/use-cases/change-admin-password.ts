import { hashPassword, verifyPassword } from "../crypto/password.ts";
import { revokeAdminSessions } from "../db/repositories/admin-sessions-repo.ts";
import { getAdminUser, setAdminPasswordHash } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import type { AdminUser } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { requireAdminByEmail } from "./find-admin-by-email.ts";
import { checkPasswordPolicy } from "../auth/password-policy.ts";
import { MAX_PASSWORD_LENGTH, recordLockouts, TooManyAttemptsError } from "./log-in-admin.ts";
import type { Actor } from "./manage-pools.ts";

/**
 * A new password, and the sessions that knew the old one end: whoever had a copy of a cookie (or
 * the old password) is out. From the admin's own page the session they change it from stays;
 * from the CLI every session ends.
 */

/** Length and strength (auth/password-policy.ts); the admin's own email counts as a guessable word. */
function checkNewPassword(password: string, email: string): Promise<void> {
  return checkPasswordPolicy(password, { email, field: "newPassword" });
}

/** Stores the new hash, ends the sessions (all but `keep`) and audits it, in one transaction. */
async function replacePassword(db: Executor, user: AdminUser, password: string, opts: { keep?: string; actor: Actor; ip?: string | null }) {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    await setAdminPasswordHash(trx, user.id, passwordHash);
    const ended = await revokeAdminSessions(trx, user.id, new Date(), opts.keep);
    await recordAudit(trx, {
      accountId: user.account_id,
      actorType: opts.actor.type,
      actorId: opts.actor.id ?? null,
      action: "admin.password_changed",
      subjectType: "admin_user",
      subjectId: user.id,
      details: { sessionsEnded: ended },
      ip: opts.ip ?? null,
    });
    return ended;
  });
}

/**
 * The admin's own password change: the current password (counted against the same per-email limit
 * as sign-ins, so a stolen session cannot guess it quickly), the new one twice. Every other session
 * of the user ends; `currentSessionId` (the record key of the session asking) stays.
 */
export async function changeOwnPassword(
  s: Pick<Services, "db" | "log" | "loginLimiter">,
  input: { userId: string; currentSessionId: string; currentPassword: string; newPassword: string; confirmPassword: string; ip: string | null },
): Promise<{ sessionsEnded: number }> {
  const user = await getAdminUser(s.db, input.userId);
  if (!user) throw new InvalidInputError("admin_not_found", "No such admin.", { field: "userId" });
  if (input.newPassword !== input.confirmPassword) {
    throw new InvalidInputError("password_mismatch", "The new passwords do not match.", { field: "confirmPassword" });
  }
  // The signed-in session is this email's known device: its own guesses slow it down, nobody else's.
  const gate = await s.loginLimiter.begin({ email: user.email, ip: input.ip ?? "", device: `session:${input.currentSessionId}` });
  if (!gate.allowed) throw new TooManyAttemptsError(gate.retryAfterSeconds);
  const ok = input.currentPassword.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(input.currentPassword, user.password_hash));
  if (!ok) {
    const lockouts = await gate.failed();
    await recordAudit(s.db, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.password_change_failed", ip: input.ip });
    await recordLockouts(s, lockouts, { user, ip: input.ip });
    throw new InvalidInputError("current_password_wrong", "The current password is wrong.", { field: "currentPassword" });
  }
  await gate.succeeded();
  await checkNewPassword(input.newPassword, user.email);
  if (input.newPassword === input.currentPassword) {
    throw new InvalidInputError("password_unchanged", "The new password is the current one.", { field: "newPassword" });
  }
  const sessionsEnded = await replacePassword(s.db, user, input.newPassword, {
    keep: input.currentSessionId,
    actor: { type: "admin", id: user.id },
    ip: input.ip,
  });
  return { sessionsEnded };
}

/** `admin password --email E`: sets a new password and ends every session of that admin. */
export async function setAdminPassword(s: Pick<Services, "db">, input: { email: string; password: string }): Promise<{ email: string; sessionsEnded: number }> {
  const user = await requireAdminByEmail(s.db, input.email);
  await checkNewPassword(input.password, user.email);
  const sessionsEnded = await replacePassword(s.db, user, input.password, { actor: { type: "cli" } });
  return { email: user.email, sessionsEnded };
}
