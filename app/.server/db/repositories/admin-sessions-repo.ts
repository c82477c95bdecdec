import { sql } from "kysely";
import type { AdminSession } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

/**
 * The standalone admin's session records. Rows are keyed by the SHA-256 of the session id (see
 * crypto/admin-session-token.ts); every query that changes or lists sessions is scoped to one
 * admin user, so a user can never reach another user's rows, even by id.
 */

export async function insertAdminSession(db: Executor, row: AdminSession): Promise<void> {
  await db.insertInto("admin_sessions").values(row).execute();
}

export async function findAdminSession(db: Executor, id: string): Promise<AdminSession | undefined> {
  return db.selectFrom("admin_sessions").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Moves last_seen_at forward, unless another request already did since `seenBefore`: concurrent
 * requests of one session write once.
 */
export async function touchAdminSession(db: Executor, id: string, at: { now: Date; seenBefore: Date }): Promise<void> {
  await db
    .updateTable("admin_sessions")
    .set({ last_seen_at: at.now.toISOString() })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .where("last_seen_at", "<=", at.seenBefore.toISOString())
    .execute();
}

/**
 * The user's sessions that still work at `now`: `first` (the session asking, "this device") on top,
 * then most recently seen first; a page of them when `page` is given.
 */
export async function listActiveAdminSessions(
  db: Executor,
  adminUserId: string,
  now: Date,
  opts: { first?: string | null; page?: { limit: number; offset: number } } = {},
): Promise<AdminSession[]> {
  let q = db
    .selectFrom("admin_sessions")
    .selectAll()
    .where("admin_user_id", "=", adminUserId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .orderBy(sql`case when id = ${opts.first ?? ""} then 0 else 1 end`)
    .orderBy("last_seen_at", "desc")
    .orderBy("created_at", "desc")
    .orderBy("id");
  if (opts.page) q = q.limit(opts.page.limit).offset(opts.page.offset);
  return q.execute();
}

export async function countActiveAdminSessions(db: Executor, adminUserId: string, now: Date): Promise<number> {
  const r = await db
    .selectFrom("admin_sessions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("admin_user_id", "=", adminUserId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Ends one of the user's sessions; 0 when it is not theirs, unknown or already ended. */
export async function revokeAdminSession(db: Executor, adminUserId: string, id: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("admin_sessions")
    .set({ revoked_at: now.toISOString() })
    .where("id", "=", id)
    .where("admin_user_id", "=", adminUserId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Ends every live session of the user, or every one but `exceptId`; returns how many. */
export async function revokeAdminSessions(db: Executor, adminUserId: string, now: Date, exceptId?: string): Promise<number> {
  let q = db
    .updateTable("admin_sessions")
    .set({ revoked_at: now.toISOString() })
    .where("admin_user_id", "=", adminUserId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now.toISOString());
  if (exceptId !== undefined) q = q.where("id", "!=", exceptId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Forgets the user's sessions that can no longer work (revoked or expired): run at each sign-in,
 * so the table holds about one row per live session. The audit log keeps the history.
 */
export async function pruneAdminSessions(db: Executor, adminUserId: string, now: Date): Promise<void> {
  await db
    .deleteFrom("admin_sessions")
    .where("admin_user_id", "=", adminUserId)
    .where((eb) => eb.or([eb("revoked_at", "is not", null), eb("expires_at", "<=", now.toISOString())]))
    .execute();
}
