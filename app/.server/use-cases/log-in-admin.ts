import { findAdminByEmail, touchAdminLogin } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../crypto/password.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";

export class TooManyAttemptsError extends InvalidInputError {
  readonly retryAfterSeconds: number;
  constructor(seconds: number) {
    super("login_rate_limited", `Too many failed sign-ins. Try again in ${seconds} seconds.`, { params: { seconds } });
    this.retryAfterSeconds = seconds;
  }
}

/** Longer passwords are refused without hashing them (create-admin-user allows at most this). */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Checks an email and password. Each attempt takes a point per email and per IP before the
 * password is checked (so concurrent guesses cannot slip past the limit); a success gives them back.
 */
export async function logInAdmin(
  s: Pick<Services, "db" | "loginLimiter">,
  input: { email: string; password: string; ip: string },
): Promise<{ userId: string; accountId: string; locale: string | null }> {
  const email = input.email.trim().toLowerCase();
  const limitKeys = [`email:${email}`, `ip:${input.ip}`];
  const wait = await s.loginLimiter.consume(limitKeys);
  if (wait > 0) throw new TooManyAttemptsError(wait);

  const user = email ? await findAdminByEmail(s.db, email) : undefined;
  // Always spend the same work, so response time does not reveal which emails exist; an
  // oversized password is a failure whoever it is for, and is not worth hashing.
  const ok =
    input.password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH));
  if (!user || !ok || user.disabled) {
    if (user) {
      await recordAudit(s.db, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.login_failed", ip: input.ip });
    }
    throw new InvalidInputError("login_failed", "Wrong email or password.");
  }
  await s.loginLimiter.succeeded(limitKeys);
  await touchAdminLogin(s.db, user.id);
  await recordAudit(s.db, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.login", ip: input.ip });
  return { userId: user.id, accountId: user.account_id, locale: user.locale };
}
