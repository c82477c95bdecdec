import type { LinkCodesTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export async function insertLinkCode(
  db: Executor,
  row: { hash: string; accountId: string; createdByType: LinkCodesTable["created_by_type"]; createdById: string | null; createdAt: string; expiresAt: string },
): Promise<void> {
  await db
    .insertInto("link_codes")
    .values({ id: row.hash, account_id: row.accountId, created_by_type: row.createdByType, created_by_id: row.createdById, created_at: row.createdAt, expires_at: row.expiresAt, used_at: null, used_by_store_id: null })
    .execute();
}

/** A new code replaces the account's unused ones: one live code at a time, less to guess at. */
export async function dropUnusedLinkCodes(db: Executor, accountId: string): Promise<void> {
  await db.deleteFrom("link_codes").where("account_id", "=", accountId).where("used_at", "is", null).execute();
}

export function findLinkCode(db: Executor, hash: string) {
  return db.selectFrom("link_codes").select(["id", "account_id", "used_at", "expires_at"]).where("id", "=", hash).executeTakeFirst();
}

/** Marks the code used if it still is usable; false when another redemption took it first. */
export async function useLinkCode(db: Executor, hash: string, storeId: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable("link_codes")
    .set({ used_at: now, used_by_store_id: storeId })
    .where("id", "=", hash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
