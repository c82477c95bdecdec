import type { AdminTwoFactor } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { useOnce } from "./single-use.ts";

/**
 * Two-step verification rows (migration 0009): an admin's sealed TOTP secret, their recovery
 * codes' hashes, and the pending second steps of their sign-ins. Every query names the admin.
 */

export async function getTwoFactor(db: Executor, adminUserId: string): Promise<AdminTwoFactor | undefined> {
  return db.selectFrom("admin_two_factor").selectAll().where("admin_user_id", "=", adminUserId).executeTakeFirst();
}

/** A new pending secret (replacing a pending one); an enabled one is left alone (0). */
export async function putPendingTwoFactor(
  db: Executor,
  row: { adminUserId: string; accountId: string; ciphertext: Buffer; keyId: string; now: Date },
): Promise<number> {
  const at = row.now.toISOString();
  await db.deleteFrom("admin_two_factor").where("admin_user_id", "=", row.adminUserId).where("enabled_at", "is", null).execute();
  const existing = await getTwoFactor(db, row.adminUserId);
  if (existing) return 0;
  await db
    .insertInto("admin_two_factor")
    .values({
      admin_user_id: row.adminUserId,
      account_id: row.accountId,
      secret_ciphertext: row.ciphertext,
      secret_key_id: row.keyId,
      enabled_at: null,
      last_step: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return 1;
}

/** Turns the pending secret on, with the step of the code that confirmed it; 0 when there was none pending. */
export async function enableTwoFactor(db: Executor, adminUserId: string, step: number, now: Date): Promise<number> {
  const r = await db
    .updateTable("admin_two_factor")
    .set({ enabled_at: now.toISOString(), last_step: step, updated_at: now.toISOString() })
    .where("admin_user_id", "=", adminUserId)
    .where("enabled_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Records `step` as used, only when it is after the last one (compare and set): of two requests
 * with the same code, one wins. 1 when this call took it.
 */
export async function takeTotpStep(db: Executor, adminUserId: string, step: number, now: Date): Promise<number> {
  const r = await db
    .updateTable("admin_two_factor")
    .set({ last_step: step, updated_at: now.toISOString() })
    .where("admin_user_id", "=", adminUserId)
    .where("enabled_at", "is not", null)
    .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Forgets the secret and the recovery codes; returns whether 2FA was on. */
export async function deleteTwoFactor(db: Executor, adminUserId: string): Promise<boolean> {
  const r = await db.deleteFrom("admin_two_factor").where("admin_user_id", "=", adminUserId).executeTakeFirst();
  const enabled = Number(r.numDeletedRows) > 0;
  await db.deleteFrom("admin_recovery_codes").where("admin_user_id", "=", adminUserId).execute();
  return enabled;
}

/** Replaces every recovery code of the admin with these hashes. */
export async function replaceRecoveryCodes(db: Executor, adminUserId: string, hashes: string[], now: Date): Promise<void> {
  await db.deleteFrom("admin_recovery_codes").where("admin_user_id", "=", adminUserId).execute();
  await db
    .insertInto("admin_recovery_codes")
    .values(hashes.map((code_hash) => ({ code_hash, admin_user_id: adminUserId, created_at: now.toISOString(), used_at: null })))
    .execute();
}

/** Uses up one recovery code of the admin (compare and set); 1 when it was theirs and unused. */
export async function useRecoveryCode(db: Executor, adminUserId: string, hash: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("admin_recovery_codes")
    .set({ used_at: now.toISOString() })
    .where("code_hash", "=", hash)
    .where("admin_user_id", "=", adminUserId)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function countUnusedRecoveryCodes(db: Executor, adminUserId: string): Promise<number> {
  const r = await db
    .selectFrom("admin_recovery_codes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("admin_user_id", "=", adminUserId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Whether the account requires owners to use 2FA, and whether this admin has it on: one query. */
export async function twoFactorFacts(db: Executor, accountId: string, adminUserId: string): Promise<{ required: boolean; enabled: boolean }> {
  const r = await db
    .selectFrom("accounts")
    .leftJoin("admin_two_factor", (j) => j.on("admin_two_factor.admin_user_id", "=", adminUserId).on("admin_two_factor.enabled_at", "is not", null))
    .select(["accounts.require_owner_2fa as required", "admin_two_factor.enabled_at as enabledAt"])
    .where("accounts.id", "=", accountId)
    .executeTakeFirst();
  return { required: Number(r?.required ?? 0) === 1, enabled: Boolean(r?.enabledAt) };
}

export async function setRequireOwnerTwoFactor(db: Executor, accountId: string, on: boolean, now: Date): Promise<number> {
  const r = await db
    .updateTable("accounts")
    .set({ require_owner_2fa: on ? 1 : 0, updated_at: now.toISOString() })
    .where("id", "=", accountId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// The pending second step of a sign-in.

export async function insertLoginChallenge(db: Executor, row: { id: string; adminUserId: string; accountId: string; now: Date; expiresAt: Date }): Promise<void> {
  await db
    .insertInto("admin_login_challenges")
    .values({ id: row.id, admin_user_id: row.adminUserId, account_id: row.accountId, created_at: row.now.toISOString(), expires_at: row.expiresAt.toISOString(), used_at: null })
    .execute();
}

export async function findLoginChallenge(db: Executor, id: string) {
  return db.selectFrom("admin_login_challenges").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Counts a wrong code against the challenge; returns the failures so far. */
export async function failLoginChallenge(db: Executor, id: string): Promise<number> {
  await db
    .updateTable("admin_login_challenges")
    .set((eb) => ({ failures: eb("failures", "+", 1) }))
    .where("id", "=", id)
    .execute();
  const r = await findLoginChallenge(db, id);
  return r?.failures ?? 0;
}

/** Ends the challenge (compare and set): 1 for the one request that used it. */
export function useLoginChallenge(db: Executor, id: string, now: Date): Promise<number> {
  return useOnce(db, "admin_login_challenges", id, now);
}

/** Ends every pending second step of the admin (a password reset, 2FA turned off) and forgets old ones. */
export async function endLoginChallenges(db: Executor, adminUserId: string, now: Date): Promise<void> {
  await db.updateTable("admin_login_challenges").set({ used_at: now.toISOString() }).where("admin_user_id", "=", adminUserId).where("used_at", "is", null).execute();
  await db
    .deleteFrom("admin_login_challenges")
    .where("admin_user_id", "=", adminUserId)
    .where("expires_at", "<=", now.toISOString())
    .execute();
}
