import type { Lockout } from "../auth/login-limiter.ts";
import { MAX_PASSWORD_LENGTH } from "../auth/password-policy.ts";
import { deviceKey, deviceTokenAfterSignIn, knownDeviceFor } from "../crypto/device-token.ts";
import { findAdminByEmail, touchAdminLogin } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../crypto/password.ts";
import type { AdminUser } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { twoFactorFacts } from "../db/repositories/two-factor-repo.ts";
import { startLoginChallenge } from "./start-login-challenge.ts";
import type { Services } from "../ports.ts";

export { MAX_PASSWORD_LENGTH };

export class TooManyAttemptsError extends InvalidInputError {
  readonly retryAfterSeconds: number;
  constructor(seconds: number) {
    super("login_rate_limited", `Too many failed sign-ins. Try again in ${seconds} seconds.`, { params: { seconds, count: seconds } });
    this.retryAfterSeconds = seconds;
  }
}

/**
 * Each lockout once, when it starts: in the audit log of the admin whose email was tried, and in
 * the process log. A lockout for an email that is nobody's has no account to audit it under
 * (audit rows belong to an account), so only the log has it; the log names the limit and the IP,
 * never the email field (people paste passwords into it).
 */
export async function recordLockouts(
  s: Pick<Services, "db" | "log">,
  lockouts: Lockout[],
  who: { user: AdminUser | undefined; ip: string | null },
): Promise<void> {
  for (const l of lockouts) {
    s.log.warn({ limit: l.limit, ip: who.ip, failures: l.failures, retryAfterSeconds: l.retryAfterSeconds, accountId: who.user?.account_id }, "sign-in limit reached");
    if (!who.user) continue;
    await recordAudit(s.db, {
      accountId: who.user.account_id,
      actorType: "system",
      action: "admin.login_locked",
      subjectType: "admin_user",
      subjectId: who.user.id,
      details: { limit: l.limit, failures: l.failures, retryAfterSeconds: l.retryAfterSeconds },
      ip: who.ip,
    });
  }
}

/**
 * Checks an email and password against the sign-in limits (auth/login-limiter.ts): the attempt
 * takes its place in them before the password is checked (so concurrent guesses cannot slip
 * past), a success gives it back. `deviceToken` is the browser's keyrelay_device cookie: when it
 * says this browser signed in to this email before, the attempt is limited as that device's own.
 * On success, `deviceToken` is what the browser keeps from now on. For an admin with two-step
 * verification, a right password is not a sign-in: `twoFactorChallenge` is set, and the code
 * form (complete-two-factor-login.ts) finishes it.
 */
export async function logInAdmin(
  s: Pick<Services, "db" | "log" | "loginLimiter" | "sessionSecret">,
  input: { email: string; password: string; ip: string; deviceToken?: string },
): Promise<{ userId: string; accountId: string; locale: string | null; deviceToken: string; twoFactorChallenge?: string }> {
  const email = input.email.trim().toLowerCase();
  const key = deviceKey(s.sessionSecret);
  const device = email ? knownDeviceFor(key, input.deviceToken, email) : undefined;
  const gate = await s.loginLimiter.begin({ email, ip: input.ip, device });
  if (!gate.allowed) throw new TooManyAttemptsError(gate.retryAfterSeconds);

  const user = email ? await findAdminByEmail(s.db, email) : undefined;
  // Always spend the same work, so response time does not reveal which emails exist; an
  // oversized password is a failure whoever it is for, and is not worth hashing.
  const ok =
    input.password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH));
  if (!user || !ok || user.disabled) {
    const lockouts = await gate.failed();
    if (user) {
      await recordAudit(s.db, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.login_failed", ip: input.ip });
    }
    await recordLockouts(s, lockouts, { user, ip: input.ip });
    throw new InvalidInputError("login_failed", "Wrong email or password.");
  }
  if ((await twoFactorFacts(s.db, user.account_id, user.id)).enabled) {
    // Not signed in yet: a code is due (complete-two-factor-login.ts). The streak keeps this
    // attempt until the code is right, so signing in again does not wipe the count of wrong codes.
    await gate.passedFirstStep();
    const twoFactorChallenge = await startLoginChallenge(s.db, user);
    await recordAudit(s.db, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.login_code_requested", ip: input.ip });
    return { userId: user.id, accountId: user.account_id, locale: user.locale, deviceToken: input.deviceToken ?? "", twoFactorChallenge };
  }
  await gate.succeeded();
  await touchAdminLogin(s.db, user.id);
  await recordAudit(s.db, {
    accountId: user.account_id,
    actorType: "admin",
    actorId: user.id,
    action: "admin.login",
    details: device ? { knownDevice: true } : undefined,
    ip: input.ip,
  });
  return { userId: user.id, accountId: user.account_id, locale: user.locale, deviceToken: deviceTokenAfterSignIn(key, input.deviceToken, email) };
}
