import { deviceKey, deviceTokenAfterSignIn, knownDeviceFor } from "../crypto/device-token.ts";
import { hashChallengeId } from "../crypto/login-challenge-id.ts";
import { getAdminUser, touchAdminLogin } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { countUnusedRecoveryCodes, failLoginChallenge, findLoginChallenge, useLoginChallenge } from "../db/repositories/two-factor-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { LOGIN_CHALLENGE_MAX_FAILURES, type SecondFactor } from "../domain/two-factor-rules.ts";
import type { Services } from "../ports.ts";
import { useSecondFactor } from "./check-second-factor.ts";
import { recordLockouts, TooManyAttemptsError } from "./log-in-admin.ts";

/**
 * The second step of a sign-in with two-step verification. A right password makes a challenge
 * (a random id in the browser's cookie, its SHA-256 in admin_login_challenges): not a session, it
 * opens nothing but the code form, for 5 minutes, once. Each code counts against the sign-in
 * limits of that email and client (the same counters as the password), 5 wrong codes end the
 * challenge, a TOTP code works once (its time step is recorded) and a recovery code is used up.
 */

/** Thrown when the challenge is missing, used, expired or ended by too many wrong codes: sign in again. */
export class SignInAgainError extends InvalidInputError {
  constructor(code: "two_factor_expired" | "two_factor_too_many") {
    super(code, code === "two_factor_expired" ? "The sign-in took too long. Sign in again." : "Too many wrong codes. Sign in again.");
  }
}

export async function completeTwoFactorLogin(
  s: Pick<Services, "db" | "log" | "loginLimiter" | "sessionSecret" | "cipher">,
  input: { challengeId: string | undefined; code: string; ip: string; deviceToken?: string; now?: Date },
): Promise<{ userId: string; accountId: string; deviceToken: string; method: SecondFactor; recoveryCodesLeft?: number }> {
  const now = input.now ?? new Date();
  const challenge = input.challengeId ? await findLoginChallenge(s.db, hashChallengeId(input.challengeId)) : undefined;
  if (!challenge || challenge.used_at || challenge.expires_at <= now.toISOString()) throw new SignInAgainError("two_factor_expired");
  const user = await getAdminUser(s.db, challenge.admin_user_id);
  if (!user || user.disabled || user.account_id !== challenge.account_id) throw new SignInAgainError("two_factor_expired");

  const key = deviceKey(s.sessionSecret);
  const device = knownDeviceFor(key, input.deviceToken, user.email);
  const gate = await s.loginLimiter.begin({ email: user.email, ip: input.ip, device });
  if (!gate.allowed) throw new TooManyAttemptsError(gate.retryAfterSeconds);

  // The challenge and the code are used together or not at all.
  const method = await s.db
    .transaction()
    .execute(async (trx) => {
      if ((await useLoginChallenge(trx, challenge.id, now)) === 0) throw new SignInAgainError("two_factor_expired");
      const used = await useSecondFactor(s, trx, { adminUserId: user.id, code: input.code, allowRecovery: true, now });
      if (!used) throw new WrongCode();
      return used;
    })
    .catch((e: unknown) => {
      if (e instanceof WrongCode) return null;
      throw e;
    });

  if (!method) {
    const lockouts = await gate.failed();
    const failures = await failLoginChallenge(s.db, challenge.id);
    await recordAudit(s.db, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.login_failed", details: { step: "two_factor" }, ip: input.ip });
    await recordLockouts(s, lockouts, { user, ip: input.ip });
    if (failures >= LOGIN_CHALLENGE_MAX_FAILURES) {
      await useLoginChallenge(s.db, challenge.id, now);
      throw new SignInAgainError("two_factor_too_many");
    }
    throw new InvalidInputError("two_factor_code_wrong", "That code is not right.", { field: "code" });
  }

  await gate.succeeded();
  await touchAdminLogin(s.db, user.id);
  let recoveryCodesLeft: number | undefined;
  if (method === "recovery_code") {
    recoveryCodesLeft = await countUnusedRecoveryCodes(s.db, user.id);
    await recordAudit(s.db, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.recovery_code_used", subjectType: "admin_user", subjectId: user.id, details: { left: recoveryCodesLeft }, ip: input.ip });
  }
  await recordAudit(s.db, {
    accountId: user.account_id,
    actorType: "admin",
    actorId: user.id,
    action: "admin.login",
    details: { twoFactor: method, ...(device ? { knownDevice: true } : {}) },
    ip: input.ip,
  });
  return { userId: user.id, accountId: user.account_id, deviceToken: deviceTokenAfterSignIn(key, input.deviceToken, user.email), method, recoveryCodesLeft };
}

class WrongCode extends Error {}
