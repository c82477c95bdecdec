import crypto from "node:crypto";
import type { ResellerInvitation, ResellerSession, ResellerUser } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

/**
 * The reseller portal's logins, invitations and sessions (migration 0018). Every query that
 * changes a session is scoped to its user; invitations and users are read under their account.
 */

export async function findResellerUserByEmail(db: Executor, email: string): Promise<ResellerUser | undefined> {
  return db.selectFrom("reseller_users").selectAll().where("email", "=", email).executeTakeFirst();
}

export async function getResellerUser(db: Executor, id: string): Promise<ResellerUser | undefined> {
  return db.selectFrom("reseller_users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertResellerUser(db: Executor, u: { accountId: string; resellerId: string; email: string; passwordHash: string; locale: string | null }): Promise<ResellerUser> {
  const now = new Date().toISOString();
  const row = { id: crypto.randomUUID(), account_id: u.accountId, reseller_id: u.resellerId, email: u.email, password_hash: u.passwordHash, locale: u.locale, disabled: 0 as const, last_login_at: null, created_at: now, updated_at: now };
  await db.insertInto("reseller_users").values(row).execute();
  return row;
}

export async function touchResellerLogin(db: Executor, id: string): Promise<void> {
  await db.updateTable("reseller_users").set({ last_login_at: new Date().toISOString() }).where("id", "=", id).execute();
}

export async function setResellerUserLocale(db: Executor, id: string, locale: string): Promise<void> {
  await db.updateTable("reseller_users").set({ locale, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
}

export async function insertResellerInvitation(db: Executor, row: ResellerInvitation): Promise<void> {
  await db.insertInto("reseller_invitations").values(row).execute();
}

export async function findOpenResellerInvitation(db: Executor, accountId: string, resellerId: string, email: string, now: Date): Promise<ResellerInvitation | undefined> {
  return db
    .selectFrom("reseller_invitations")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("reseller_id", "=", resellerId)
    .where("email", "=", email)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirst();
}

/** A new link and deadline for an open invitation: the old link stops working. */
export async function renewResellerInvitation(db: Executor, id: string, p: { tokenHash: string; expiresAt: string }): Promise<void> {
  await db.updateTable("reseller_invitations").set({ token_hash: p.tokenHash, expires_at: p.expiresAt }).where("id", "=", id).where("accepted_at", "is", null).execute();
}

export async function findResellerInvitationByTokenHash(db: Executor, hash: string): Promise<ResellerInvitation | undefined> {
  return db.selectFrom("reseller_invitations").selectAll().where("token_hash", "=", hash).executeTakeFirst();
}

/** Conditional: 0 when it was accepted, revoked or expired meanwhile (two posts of one link make one login). */
export async function markResellerInvitationAccepted(db: Executor, id: string, userId: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("reseller_invitations")
    .set({ accepted_at: now.toISOString(), accepted_user_id: userId })
    .where("id", "=", id)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function insertResellerSession(db: Executor, row: ResellerSession): Promise<void> {
  await db.insertInto("reseller_sessions").values(row).execute();
}

export async function findResellerSession(db: Executor, id: string): Promise<ResellerSession | undefined> {
  return db.selectFrom("reseller_sessions").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function touchResellerSession(db: Executor, id: string, at: { now: Date; seenBefore: Date }): Promise<void> {
  await db
    .updateTable("reseller_sessions")
    .set({ last_seen_at: at.now.toISOString() })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .where("last_seen_at", "<=", at.seenBefore.toISOString())
    .execute();
}

export async function revokeResellerSession(db: Executor, userId: string, id: string, now: Date): Promise<number> {
  const r = await db.updateTable("reseller_sessions").set({ revoked_at: now.toISOString() }).where("id", "=", id).where("reseller_user_id", "=", userId).where("revoked_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Forgets the user's sessions that ended (revoked or expired): the audit log keeps sign-ins and sign-outs. */
export async function pruneResellerSessions(db: Executor, userId: string, now: Date): Promise<void> {
  await db
    .deleteFrom("reseller_sessions")
    .where("reseller_user_id", "=", userId)
    .where((eb) => eb.or([eb("revoked_at", "is not", null), eb("expires_at", "<=", now.toISOString())]))
    .execute();
}
