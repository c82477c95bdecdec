import { sql, type Updateable } from "kysely";
import type { Role } from "../../domain/roles.ts";
import type { AdminUser, ShopifyStaffRole, TeamInvitation, TeamInvitationsTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

/**
 * The team of an account: its standalone logins (admin_users), its pending invitations, and the
 * roles of its Shopify staff in the embedded admin. Every query names the account.
 */

export async function listAccountAdmins(db: Executor, accountId: string): Promise<AdminUser[]> {
  return db.selectFrom("admin_users").selectAll().where("account_id", "=", accountId).orderBy("created_at").orderBy("email").execute();
}

export async function findAccountAdmin(db: Executor, accountId: string, where: { id?: string; email?: string }): Promise<AdminUser | undefined> {
  let q = db.selectFrom("admin_users").selectAll().where("account_id", "=", accountId);
  if (where.id !== undefined) q = q.where("id", "=", where.id);
  if (where.email !== undefined) q = q.where("email", "=", where.email);
  return q.executeTakeFirst();
}

export async function setAdminRole(db: Executor, accountId: string, id: string, role: Role): Promise<void> {
  await db.updateTable("admin_users").set({ role, updated_at: new Date().toISOString() }).where("account_id", "=", accountId).where("id", "=", id).execute();
}

/** Owners who can still act: enabled standalone logins and embedded Shopify staff. */
export async function countOwners(db: Executor, accountId: string): Promise<number> {
  const admins = await db
    .selectFrom("admin_users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("account_id", "=", accountId)
    .where("role", "=", "owner")
    .where("disabled", "=", 0)
    .executeTakeFirstOrThrow();
  // Only staff of a shop that is still a store of this account can reach it: a row of a shop that
  // left (or of a store removed) is no owner here.
  const staff = await db
    .selectFrom("shopify_staff_roles as r")
    .innerJoin("stores as st", (j) => j.onRef("st.account_id", "=", "r.account_id").onRef("st.domain", "=", "r.shop").on("st.platform", "=", "shopify"))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("r.account_id", "=", accountId)
    .where("r.role", "=", "owner")
    .executeTakeFirstOrThrow();
  return Number(admins.n) + Number(staff.n);
}

/** The migration that brought roles; when it ran is the cut-over between "before roles" and after. */
const ROLES_MIGRATION = "0007-team";

/**
 * Whether the account was created before roles existed in this installation: before migration
 * 0007 ran (as Kysely recorded it). Such an account's embedded staff all did everything, so its
 * first staff member seen after the upgrade is not necessarily the shop's owner.
 */
export async function accountPredatesRoles(db: Executor, accountId: string): Promise<boolean> {
  const account = await db.selectFrom("accounts").select("created_at").where("id", "=", accountId).executeTakeFirst();
  if (!account) return false;
  const ran = await sql<{ timestamp: string }>`select timestamp from kysely_migration where name = ${ROLES_MIGRATION}`.execute(db);
  const at = ran.rows[0]?.timestamp;
  if (!at) return false;
  return new Date(account.created_at as string | Date).getTime() < Date.parse(at);
}

// ---------------------------------------------------------------------------------------------
// Invitations

export async function insertInvitation(db: Executor, row: TeamInvitation): Promise<void> {
  await db.insertInto("team_invitations").values(row).execute();
}

export async function findInvitationByTokenHash(db: Executor, tokenHash: string): Promise<TeamInvitation | undefined> {
  return db.selectFrom("team_invitations").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

export async function getInvitation(db: Executor, accountId: string, id: string): Promise<TeamInvitation | undefined> {
  return db.selectFrom("team_invitations").selectAll().where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
}

/** Invitations not yet accepted or revoked (expired ones included: the page offers to resend them). */
export async function listOpenInvitations(db: Executor, accountId: string): Promise<TeamInvitation[]> {
  return db
    .selectFrom("team_invitations")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .orderBy("created_at", "desc")
    .execute();
}

export async function findOpenInvitationByEmail(db: Executor, accountId: string, email: string): Promise<TeamInvitation | undefined> {
  return db
    .selectFrom("team_invitations")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("email", "=", email)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

/** Changes one of the account's invitations while it is still open; the rows changed (0: not open, or not this account's). */
async function updateOpenInvitation(db: Executor, accountId: string, id: string, set: Updateable<TeamInvitationsTable>): Promise<number> {
  const r = await db
    .updateTable("team_invitations")
    .set(set)
    .where("account_id", "=", accountId)
    .where("id", "=", id)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** A new token and deadline for an open invitation (resend): the old link stops working. */
export async function renewInvitation(db: Executor, accountId: string, id: string, v: { tokenHash: string; sentAt: string; expiresAt: string; role?: Role }): Promise<number> {
  return updateOpenInvitation(db, accountId, id, { token_hash: v.tokenHash, sent_at: v.sentAt, expires_at: v.expiresAt, ...(v.role ? { role: v.role } : {}) });
}

export async function revokeInvitationRow(db: Executor, accountId: string, id: string, now: Date): Promise<number> {
  return updateOpenInvitation(db, accountId, id, { revoked_at: now.toISOString() });
}

/** Takes the invitation: one conditional UPDATE, so two uses of one link cannot both win. */
export async function markInvitationAccepted(db: Executor, id: string, userId: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("team_invitations")
    .set({ accepted_at: now.toISOString(), accepted_user_id: userId })
    .where("id", "=", id)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ---------------------------------------------------------------------------------------------
// Embedded Shopify staff

export async function findShopifyStaff(db: Executor, accountId: string, shop: string, userId: string): Promise<ShopifyStaffRole | undefined> {
  return db
    .selectFrom("shopify_staff_roles")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("shop", "=", shop)
    .where("shopify_user_id", "=", userId)
    .executeTakeFirst();
}

/** Inserts the member on first sight (no-op when another request did so a moment earlier). */
export async function insertShopifyStaff(db: Executor, row: ShopifyStaffRole): Promise<void> {
  await db.insertInto("shopify_staff_roles").values(row).onConflict((oc) => oc.columns(["account_id", "shop", "shopify_user_id"]).doNothing()).execute();
}

export async function touchShopifyStaff(db: Executor, accountId: string, shop: string, userId: string, now: Date): Promise<void> {
  await db
    .updateTable("shopify_staff_roles")
    .set({ last_seen_at: now.toISOString() })
    .where("account_id", "=", accountId)
    .where("shop", "=", shop)
    .where("shopify_user_id", "=", userId)
    .execute();
}

export async function listShopifyStaff(db: Executor, accountId: string): Promise<ShopifyStaffRole[]> {
  return db.selectFrom("shopify_staff_roles").selectAll().where("account_id", "=", accountId).orderBy("first_seen_at").execute();
}

export async function setShopifyStaffRole(db: Executor, accountId: string, shop: string, userId: string, role: Role): Promise<number> {
  const r = await db
    .updateTable("shopify_staff_roles")
    .set({ role, updated_at: new Date().toISOString() })
    .where("account_id", "=", accountId)
    .where("shop", "=", shop)
    .where("shopify_user_id", "=", userId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
