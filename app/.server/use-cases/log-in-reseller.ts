import { MAX_PASSWORD_LENGTH } from "../auth/password-policy.ts";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../crypto/password.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findResellerUserByEmail, touchResellerLogin } from "../db/repositories/reseller-portal-repo.ts";
import { findReseller } from "../db/repositories/resellers-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { TooManyAttemptsError } from "./log-in-admin.ts";

/**
 * The portal's sign-in: the admin's rules (auth/login-limiter.ts takes the attempt before the
 * password is checked; the same hashing work whether or not the email exists) on the reseller
 * logins. The limiter's email counters are keyed `portal:<email>`, so failures at /portal never
 * slow the merchant's own login of the same address (the IP cap is shared: one guesser, one cap).
 * A suspended reseller's people are refused after a right password, with their own reason.
 */
export async function logInReseller(
  s: Pick<Services, "db" | "log" | "loginLimiter">,
  input: { email: string; password: string; ip: string },
): Promise<{ userId: string; resellerId: string; accountId: string; locale: string | null }> {
  const email = input.email.trim().toLowerCase();
  const gate = await s.loginLimiter.begin({ email: `portal:${email}`, ip: input.ip });
  if (!gate.allowed) throw new TooManyAttemptsError(gate.retryAfterSeconds);
  const user = email ? await findResellerUserByEmail(s.db, email) : undefined;
  const ok = input.password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH));
  if (!user || !ok || user.disabled) {
    const lockouts = await gate.failed();
    if (user) await recordAudit(s.db, { accountId: user.account_id, actorType: "reseller", actorId: user.reseller_id, action: "reseller.portal_login_failed", subjectType: "reseller_user", subjectId: user.id, ip: input.ip });
    for (const l of lockouts) {
      s.log.warn({ limit: l.limit, ip: input.ip, failures: l.failures, retryAfterSeconds: l.retryAfterSeconds, surface: "portal" }, "sign-in limit reached");
      if (user) await recordAudit(s.db, { accountId: user.account_id, actorType: "system", action: "reseller.portal_login_locked", subjectType: "reseller_user", subjectId: user.id, details: { limit: l.limit, failures: l.failures }, ip: input.ip });
    }
    throw new InvalidInputError("login_failed", "Wrong email or password.");
  }
  const reseller = await findReseller(s.db, user.account_id, user.reseller_id);
  if (!reseller || reseller.status !== "active") {
    await gate.succeeded();
    await recordAudit(s.db, { accountId: user.account_id, actorType: "reseller", actorId: user.reseller_id, action: "reseller.portal_login_refused", subjectType: "reseller_user", subjectId: user.id, details: { reason: "suspended" }, ip: input.ip });
    throw new InvalidInputError("portal_suspended", "This reseller account is suspended.");
  }
  await gate.succeeded();
  await touchResellerLogin(s.db, user.id);
  await recordAudit(s.db, { accountId: user.account_id, actorType: "reseller", actorId: user.reseller_id, action: "reseller.portal_login", subjectType: "reseller_user", subjectId: user.id, ip: input.ip });
  return { userId: user.id, resellerId: user.reseller_id, accountId: user.account_id, locale: user.locale };
}
