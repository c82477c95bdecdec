import type { PasswordReset } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { useOnce } from "./single-use.ts";

/** Password reset links (migration 0009): only the token's hash; single use, expiring. */

export async function insertPasswordReset(db: Executor, row: PasswordReset): Promise<void> {
  await db.insertInto("password_resets").values(row).execute();
}

export async function findPasswordReset(db: Executor, tokenHash: string): Promise<PasswordReset | undefined> {
  return db.selectFrom("password_resets").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

/** Uses the link (compare and set): 1 for the one request that used it while it was valid. */
export function usePasswordReset(db: Executor, id: string, now: Date): Promise<number> {
  return useOnce(db, "password_resets", id, now);
}

/** A newer link, or a reset done, ends the admin's other open links. */
export async function endPasswordResets(db: Executor, adminUserId: string, now: Date): Promise<void> {
  await db.updateTable("password_resets").set({ used_at: now.toISOString() }).where("admin_user_id", "=", adminUserId).where("used_at", "is", null).execute();
}
