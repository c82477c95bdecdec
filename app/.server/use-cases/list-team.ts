import { listAccountAdmins, listOpenInvitations, listShopifyStaff } from "../db/repositories/team-repo.ts";
import { invitationState, type InvitationState, type Role } from "../domain/roles.ts";
import type { Services } from "../ports.ts";

export interface TeamListing {
  members: { id: string; email: string; role: Role; lastLoginAt: string | null; createdAt: string }[];
  /** Shopify staff seen in the embedded admin (Shopify tells keyrelay only their user id). */
  shopifyStaff: { shop: string; userId: string; role: Role; firstSeenAt: string; lastSeenAt: string }[];
  invitations: { id: string; email: string; role: Role; state: Exclude<InvitationState, "accepted" | "revoked">; sentAt: string; expiresAt: string }[];
}

/** The team page and `team list`: logins, Shopify staff and open invitations of one account. Never a password hash or a token. */
export async function listTeam(s: Pick<Services, "db">, accountId: string, now = new Date()): Promise<TeamListing> {
  const [admins, staff, invitations] = await Promise.all([listAccountAdmins(s.db, accountId), listShopifyStaff(s.db, accountId), listOpenInvitations(s.db, accountId)]);
  return {
    members: admins.map((a) => ({ id: a.id, email: a.email, role: a.role, lastLoginAt: a.last_login_at, createdAt: a.created_at })),
    shopifyStaff: staff.map((m) => ({ shop: m.shop, userId: m.shopify_user_id, role: m.role, firstSeenAt: m.first_seen_at, lastSeenAt: m.last_seen_at })),
    invitations: invitations.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      state: invitationState(i, now) === "expired" ? ("expired" as const) : ("pending" as const),
      sentAt: i.sent_at,
      expiresAt: i.expires_at,
    })),
  };
}
