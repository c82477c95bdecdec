import { MAX_PASSWORD_LENGTH } from "../auth/password-policy.ts";
import { verifyPassword } from "../crypto/password.ts";
import { newRecoveryCodes } from "../crypto/recovery-codes.ts";
import { newTotpSecret, normaliseCode, openTotpSecret, sealTotpSecret, totpStep, totpUri } from "../crypto/totp.ts";
import { getAdminUser } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import {
  countUnusedRecoveryCodes,
  deleteTwoFactor,
  enableTwoFactor,
  endLoginChallenges,
  getTwoFactor,
  putPendingTwoFactor,
  replaceRecoveryCodes,
  setRequireOwnerTwoFactor,
  twoFactorFacts,
} from "../db/repositories/two-factor-repo.ts";
import type { AdminUser } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { requirePermission } from "../domain/roles.ts";
import { mustEnrol } from "../domain/two-factor-rules.ts";
import type { Services } from "../ports.ts";
import { requireAdminByEmail } from "./find-admin-by-email.ts";
import { recordLockouts, TooManyAttemptsError } from "./log-in-admin.ts";
import { useSecondFactor } from "./check-second-factor.ts";

/**
 * Two-step verification for a standalone admin (TOTP, authenticator apps): enrol (a pending
 * secret, confirmed by a first code, which turns it on and gives 10 recovery codes shown once),
 * new recovery codes (a current code), turning it off (password and code; not for an owner of an
 * account that requires it), and the account's "required for owners" switch. The CLI's operator
 * can turn it off for an admin who lost their phone. Every change is audited; codes and secrets
 * never are.
 */

type Deps = Pick<Services, "db" | "cipher" | "log" | "loginLimiter">;

/** Who is asking from the page: their session (its guesses are limited as that session's own). */
export interface PageCaller {
  userId: string;
  sessionKey: string;
  ip: string | null;
}

export interface TwoFactorStatus {
  email: string;
  enabled: boolean;
  /** While enrolling: the secret (shown as text) and the otpauth:// URI the QR code carries. */
  pending: { secret: string; uri: string } | null;
  recoveryCodesLeft: number;
  isOwner: boolean;
  requiredForOwners: boolean;
  /** This admin must enrol before using the admin (an owner, and the account requires it). */
  mustEnrol: boolean;
}

async function requireUser(s: Pick<Services, "db">, userId: string): Promise<AdminUser> {
  const user = await getAdminUser(s.db, userId);
  if (!user) throw new InvalidInputError("admin_not_found", "No such admin.", { field: "userId" });
  return user;
}

export async function twoFactorStatus(s: Pick<Services, "db" | "cipher">, userId: string): Promise<TwoFactorStatus> {
  const user = await requireUser(s, userId);
  const row = await getTwoFactor(s.db, user.id);
  const facts = await twoFactorFacts(s.db, user.account_id, user.id);
  const enabled = Boolean(row?.enabled_at);
  const secret = row && !row.enabled_at ? openTotpSecret(s.cipher, row) : null;
  return {
    email: user.email,
    enabled,
    pending: secret ? { secret, uri: totpUri(secret, user.email) } : null,
    recoveryCodesLeft: enabled ? await countUnusedRecoveryCodes(s.db, user.id) : 0,
    isOwner: user.role === "owner",
    requiredForOwners: facts.required,
    mustEnrol: mustEnrol({ role: user.role, ...facts }),
  };
}

/** A fresh secret to scan (a previous unconfirmed one is replaced); refused while 2FA is on. */
export async function startTwoFactorEnrolment(s: Pick<Services, "db" | "cipher">, caller: PageCaller): Promise<void> {
  const user = await requireUser(s, caller.userId);
  const sealed = sealTotpSecret(s.cipher, user.id, newTotpSecret());
  await s.db.transaction().execute(async (trx) => {
    const put = await putPendingTwoFactor(trx, { adminUserId: user.id, accountId: user.account_id, ciphertext: sealed.ciphertext, keyId: sealed.keyId, now: new Date() });
    if (put === 0) throw new InvalidInputError("two_factor_already_on", "Two-step verification is already on.", { field: "intent" });
    await recordAudit(trx, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.two_factor_setup_started", subjectType: "admin_user", subjectId: user.id, ip: caller.ip });
  });
}

/**
 * Runs `check` as one attempt against the sign-in limits of the caller's session: a stolen
 * session cannot guess codes or the password any faster than a sign-in could.
 */
async function limited<T>(s: Deps, user: AdminUser, caller: PageCaller, check: () => Promise<T | null>, wrong: InvalidInputError): Promise<T> {
  const gate = await s.loginLimiter.begin({ email: user.email, ip: caller.ip ?? "", device: `session:${caller.sessionKey}` });
  if (!gate.allowed) throw new TooManyAttemptsError(gate.retryAfterSeconds);
  const r = await check();
  if (r === null) {
    const lockouts = await gate.failed();
    await recordAudit(s.db, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.two_factor_code_failed", details: { field: wrong.field ?? "code" }, ip: caller.ip });
    await recordLockouts(s, lockouts, { user, ip: caller.ip });
    throw wrong;
  }
  await gate.succeeded();
  return r;
}

const wrongCode = () => new InvalidInputError("two_factor_code_wrong", "That code is not right.", { field: "code" });

const wrongPassword = () => new InvalidInputError("current_password_wrong", "The current password is wrong.", { field: "password" });

/** One limited attempt at the caller's own password. */
function checkOwnPassword(s: Deps, user: AdminUser, caller: PageCaller, password: string): Promise<true> {
  // A form sent without one is not a guess: refused, and it costs no attempt.
  if (!password) return Promise.reject(new InvalidInputError("current_password_required", "Enter your current password.", { field: "password" }));
  return limited(s, user, caller, async () => (password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(password, user.password_hash)) ? true : null), wrongPassword());
}

/**
 * The first code from the app, with the admin's current password, turns 2FA on; returns the 10
 * recovery codes (only now, never again). The password is asked because whoever holds only a
 * session (a cookie lifted from an unlocked laptop) could otherwise bind their own authenticator
 * to the account and keep its owner out at the next sign-in.
 */
export async function confirmTwoFactorEnrolment(s: Deps, caller: PageCaller, input: { code: string; password: string }): Promise<{ recoveryCodes: string[] }> {
  const user = await requireUser(s, caller.userId);
  const row = await getTwoFactor(s.db, user.id);
  if (!row || row.enabled_at) throw new InvalidInputError("two_factor_not_pending", "Start the setup first.", { field: "intent" });
  await checkOwnPassword(s, user, caller, input.password);
  const code = input.code;
  const now = new Date();
  const step = await limited(s, user, caller, async () => totpStep(openTotpSecret(s.cipher, row), normaliseCode(code), now.getTime(), null), wrongCode());
  const { codes, hashes } = newRecoveryCodes();
  await s.db.transaction().execute(async (trx) => {
    if ((await enableTwoFactor(trx, user.id, step, now)) === 0) throw new InvalidInputError("two_factor_not_pending", "Start the setup first.", { field: "intent" });
    await replaceRecoveryCodes(trx, user.id, hashes, now);
    await recordAudit(trx, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.two_factor_enabled", subjectType: "admin_user", subjectId: user.id, details: { recoveryCodes: codes.length }, ip: caller.ip });
  });
  return { recoveryCodes: codes };
}

/** New recovery codes for a current TOTP code; the old ones stop working. */
export async function regenerateRecoveryCodes(s: Deps, caller: PageCaller, code: string): Promise<{ recoveryCodes: string[] }> {
  const user = await requireUser(s, caller.userId);
  const { codes, hashes } = newRecoveryCodes();
  const now = new Date();
  await limited(
    s,
    user,
    caller,
    () =>
      s.db.transaction().execute(async (trx) => {
        const used = await useSecondFactor(s, trx, { adminUserId: user.id, code, allowRecovery: false, now });
        if (!used) return null;
        await replaceRecoveryCodes(trx, user.id, hashes, now);
        await recordAudit(trx, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.recovery_codes_regenerated", subjectType: "admin_user", subjectId: user.id, ip: caller.ip });
        return used;
      }),
    wrongCode(),
  );
  return { recoveryCodes: codes };
}

/** Off, with the password and a current code (or a recovery code); not for an owner when the account requires it. */
export async function disableOwnTwoFactor(s: Deps, caller: PageCaller, input: { password: string; code: string }): Promise<void> {
  const user = await requireUser(s, caller.userId);
  const facts = await twoFactorFacts(s.db, user.account_id, user.id);
  if (!facts.enabled) throw new InvalidInputError("two_factor_not_on", "Two-step verification is not on.", { field: "intent" });
  if (user.role === "owner" && facts.required) {
    throw new InvalidInputError("two_factor_required_for_owners", "This account requires owners to use two-step verification.", { field: "intent" });
  }
  await checkOwnPassword(s, user, caller, input.password);
  const now = new Date();
  await limited(
    s,
    user,
    caller,
    () =>
      s.db.transaction().execute(async (trx) => {
        const used = await useSecondFactor(s, trx, { adminUserId: user.id, code: input.code, allowRecovery: true, now });
        if (!used) return null;
        await deleteTwoFactor(trx, user.id);
        await endLoginChallenges(trx, user.id, now);
        await recordAudit(trx, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "admin.two_factor_disabled", subjectType: "admin_user", subjectId: user.id, details: { with: used }, ip: caller.ip });
        return used;
      }),
    wrongCode(),
  );
}

/**
 * The account's "required for owners" switch, by an owner who uses 2FA themselves, either way.
 * On: else the switch would lock them out of everything but the enrolment page. Off: else an
 * owner the requirement holds at the enrolment page (or whoever has only their password) could
 * lift it for everyone instead of enrolling.
 */
export async function setOwnersMustUseTwoFactor(s: Pick<Services, "db">, caller: PageCaller, on: boolean): Promise<void> {
  const user = await requireUser(s, caller.userId);
  requirePermission(user.role, "team.manage");
  const facts = await twoFactorFacts(s.db, user.account_id, user.id);
  if (!facts.enabled) throw new InvalidInputError("two_factor_enable_first", "Turn on two-step verification for yourself first.", { field: "requireOwners" });
  await s.db.transaction().execute(async (trx) => {
    await setRequireOwnerTwoFactor(trx, user.account_id, on, new Date());
    await recordAudit(trx, { accountId: user.account_id, actorType: "admin", actorId: user.id, action: "account.require_owner_2fa", subjectType: "account", subjectId: user.account_id, details: { on, was: facts.required }, ip: caller.ip });
  });
}

/** `admin two-factor --email E --disable`: the machine's operator resets a lost authenticator. */
export async function disableTwoFactorByOperator(s: Pick<Services, "db">, rawEmail: string): Promise<{ email: string; wasEnabled: boolean }> {
  const user = await requireAdminByEmail(s.db, rawEmail);
  return s.db.transaction().execute(async (trx) => {
    const row = await getTwoFactor(trx, user.id);
    const wasEnabled = Boolean(row?.enabled_at);
    await deleteTwoFactor(trx, user.id);
    await endLoginChallenges(trx, user.id, new Date());
    await recordAudit(trx, { accountId: user.account_id, actorType: "cli", action: "admin.two_factor_disabled", subjectType: "admin_user", subjectId: user.id, details: { by: "operator", wasEnabled } });
    return { email: user.email, wasEnabled };
  });
}

/** `admin require-2fa --account A on|off`. */
export async function setOwnersMustUseTwoFactorByOperator(s: Pick<Services, "db">, accountId: string, on: boolean): Promise<{ accountId: string; requireOwner2fa: boolean }> {
  await s.db.transaction().execute(async (trx) => {
    await setRequireOwnerTwoFactor(trx, accountId, on, new Date());
    await recordAudit(trx, { accountId, actorType: "cli", action: "account.require_owner_2fa", subjectType: "account", subjectId: accountId, details: { on } });
  });
  return { accountId, requireOwner2fa: on };
}
