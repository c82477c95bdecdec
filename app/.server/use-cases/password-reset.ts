import crypto from "node:crypto";
import { checkPasswordPolicy } from "../auth/password-policy.ts";
import { hashPassword } from "../crypto/password.ts";
import { hashPasswordResetToken, isPasswordResetTokenShaped, newPasswordResetToken } from "../crypto/password-reset-token.ts";
import { getAccount } from "../db/repositories/accounts-repo.ts";
import { revokeAdminSessions } from "../db/repositories/admin-sessions-repo.ts";
import { findAdminByEmail, getAdminUser, setAdminPasswordHash } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { endPasswordResets, findPasswordReset, insertPasswordReset, usePasswordReset } from "../db/repositories/password-resets-repo.ts";
import { endLoginChallenges } from "../db/repositories/two-factor-repo.ts";
import type { AdminUser, PasswordReset } from "../db/schema.ts";
import { clientNetwork } from "../domain/client-network.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import { PASSWORD_RESET_TTL_MS } from "../domain/two-factor-rules.ts";
import type { Services } from "../ports.ts";
import { isLocale, translator, type Locale } from "../../i18n/i18n.ts";

/**
 * "Forgot password?": a link by email that works once, for an hour (only its SHA-256 is stored).
 * The request answers the same whether or not the email has a login, and takes as long (the
 * lookup, the stored link and the mail all happen after the answer), so it cannot be used to find out who has one; it is limited per
 * email and per client network either way. Setting the new password ends every session of that
 * admin and every pending sign-in step. It does not sign in, and it does not touch two-step
 * verification: signing in afterwards still asks for the code.
 */

export class ResetRateLimitedError extends InvalidInputError {
  readonly retryAfterSeconds: number;
  constructor(seconds: number) {
    super("password_reset_rate_limited", `Too many reset requests. Try again in ${seconds} seconds.`, { params: { seconds, count: seconds } });
    this.retryAfterSeconds = seconds;
  }
}

const emailKey = (email: string) => crypto.createHash("sha256").update(`reset\n${email}`).digest("base64url").slice(0, 32);

export async function requestPasswordReset(
  s: Pick<Services, "db" | "log" | "mailer" | "config" | "passwordResetLimiter">,
  input: { email: string; ip: string | null; locale?: string },
): Promise<void> {
  const email = input.email.trim().toLowerCase();
  if (!email || email.length > 320 || !email.includes("@")) throw new InvalidInputError("invalid_email", "That is not a valid email address.", { field: "email" });
  const wait = await s.passwordResetLimiter.consume([`email:${emailKey(email)}`, ...(input.ip ? [`ip:${clientNetwork(input.ip)}`] : [])]);
  if (wait > 0) throw new ResetRateLimitedError(wait);
  // Not awaited: looking the email up, storing a link and mailing it happen after the answer, so
  // neither its content nor its timing tells which emails have a login.
  void issueResetLink(s, email, input.ip, input.locale).catch((e: unknown) => s.log.warn({ err: e instanceof Error ? e.message : String(e) }, "password reset link not issued"));
}

async function issueResetLink(s: Pick<Services, "db" | "log" | "mailer" | "config">, email: string, ip: string | null, locale?: string): Promise<void> {
  const user = await findAdminByEmail(s.db, email);
  if (!user || user.disabled) return;
  const { token, hash } = newPasswordResetToken();
  const now = new Date();
  const row: PasswordReset = {
    id: crypto.randomUUID(),
    admin_user_id: user.id,
    account_id: user.account_id,
    token_hash: hash,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + PASSWORD_RESET_TTL_MS).toISOString(),
    used_at: null,
    ip,
  };
  await s.db.transaction().execute(async (trx) => {
    // Only the newest link works.
    await endPasswordResets(trx, user.id, now);
    await insertPasswordReset(trx, row);
    await recordAudit(trx, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.password_reset_requested", subjectType: "admin_user", subjectId: user.id, ip });
  });
  await mailResetLink(s, user, token, locale).catch((e: unknown) => s.log.warn({ err: e instanceof Error ? e.message : String(e), accountId: user.account_id }, "password reset email not sent"));
}

async function mailResetLink(s: Pick<Services, "db" | "mailer" | "config">, user: AdminUser, token: string, requested?: string): Promise<void> {
  const account = await getAccount(s.db, user.account_id);
  const locale: Locale = isLocale(user.locale) ? user.locale : isLocale(requested) ? requested : isLocale(account?.default_locale) ? account.default_locale : "en";
  const t = translator(locale);
  const link = `${s.config.appUrl.replace(/\/$/, "")}/reset-password/${token}`;
  const params = { email: user.email, link, minutes: Math.round(PASSWORD_RESET_TTL_MS / 60_000) };
  await s.mailer.send({
    to: user.email,
    subject: t("emails.passwordReset.subject", params),
    text: t("emails.passwordReset.text", params),
    from: account?.mail_from ?? undefined,
    replyTo: account?.mail_reply_to ?? undefined,
  });
}

type LinkRefusal = "reset_link_unknown" | "reset_link_used" | "reset_link_expired";

/** The link's admin, or why it does not work (unknown 404; used or expired 410, audited under the admin's account). */
export async function openResetLink(s: Pick<Services, "db">, token: unknown, ip: string | null, now = new Date()): Promise<{ reset: PasswordReset; user: AdminUser }> {
  const reset = isPasswordResetTokenShaped(token) ? await findPasswordReset(s.db, hashPasswordResetToken(token)) : undefined;
  const user = reset ? await getAdminUser(s.db, reset.admin_user_id) : undefined;
  let refusal: LinkRefusal | null = null;
  if (!reset || !user || user.disabled) refusal = "reset_link_unknown";
  else if (reset.used_at) refusal = "reset_link_used";
  else if (reset.expires_at <= now.toISOString()) refusal = "reset_link_expired";
  if (refusal) {
    if (reset) await recordAudit(s.db, { accountId: reset.account_id, actorType: "system", action: "admin.password_reset_refused", subjectType: "admin_user", subjectId: reset.admin_user_id, details: { reason: refusal }, ip });
    throw new InvalidInputError(refusal, "This reset link does not work.", { field: "token" });
  }
  return { reset: reset!, user: user! };
}

/** Sets the new password from a reset link; every session of that admin ends. */
export async function resetPassword(
  s: Pick<Services, "db">,
  input: { token: unknown; password: string; confirm: string; ip: string | null },
): Promise<{ email: string; sessionsEnded: number }> {
  const { reset, user } = await openResetLink(s, input.token, input.ip);
  if (input.password !== input.confirm) throw new InvalidInputError("password_mismatch", "The new passwords do not match.", { field: "confirm" });
  await checkPasswordPolicy(input.password, { email: user.email, field: "password" });
  const passwordHash = await hashPassword(input.password);
  const now = new Date();
  const sessionsEnded = await s.db.transaction().execute(async (trx) => {
    if ((await usePasswordReset(trx, reset.id, now)) === 0) throw new InvalidInputError("reset_link_used", "This reset link does not work.", { field: "token" });
    await setAdminPasswordHash(trx, user.id, passwordHash);
    const ended = await revokeAdminSessions(trx, user.id, now);
    await endLoginChallenges(trx, user.id, now);
    await endPasswordResets(trx, user.id, now);
    await recordAudit(trx, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.password_reset", subjectType: "admin_user", subjectId: user.id, details: { sessionsEnded: ended }, ip: input.ip });
    return ended;
  });
  return { email: user.email, sessionsEnded };
}

export const isResetRefusal = (e: unknown): e is KeyrelayError => e instanceof KeyrelayError && (e.code === "reset_link_unknown" || e.code === "reset_link_used" || e.code === "reset_link_expired");
