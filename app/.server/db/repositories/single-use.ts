import type { Executor } from "./job-rows.ts";

/** Tables of one-time things (a reset link, a pending second sign-in step): an id, used_at, expires_at. */
export type SingleUseTable = "password_resets" | "admin_login_challenges";

/**
 * Uses the row (compare and set): 1 for the one request that used it while it was valid, 0 for
 * every other — used already, expired, or lost the race.
 */
export async function useOnce(db: Executor, table: SingleUseTable, id: string, now: Date): Promise<number> {
  const at = now.toISOString();
  const r = await db.updateTable(table).set({ used_at: at }).where("id", "=", id).where("used_at", "is", null).where("expires_at", ">", at).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
