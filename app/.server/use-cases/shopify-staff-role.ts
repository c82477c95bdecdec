import { lockAccount } from "../db/repositories/accounts-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { accountPredatesRoles, countOwners, findShopifyStaff, insertShopifyStaff, touchShopifyStaff } from "../db/repositories/team-repo.ts";
import { firstStaffRole, type Role } from "../domain/roles.ts";
import type { Services } from "../ports.ts";

/** last_seen_at moves at most this often (not a write per request). */
const SEEN_EVERY_MS = 60_000;

/**
 * The role of a Shopify staff member in the embedded admin. The app's Shopify sessions are offline
 * tokens (one per shop, no user in them), so the user is the App Bridge session token's `sub`
 * (Shopify's user id), which Shopify signs on every request. Shopify does not tell an app with
 * offline tokens who the shop owner is, so a member seen for the first time gets `firstStaffRole`:
 * in an account created since roles exist and with no owner at all, its owner — on a fresh install
 * that is the person who installed the app (Shopify lets only the owner or staff with app
 * permissions install); in an account from before roles with no owner, manager (whoever opens the
 * app first after an upgrade is anyone); beside an owner, `support` until an owner decides.
 */
export async function shopifyStaffRole(s: Pick<Services, "db">, accountId: string, shop: string, userId: string, now = new Date()): Promise<Role> {
  const known = await findShopifyStaff(s.db, accountId, shop, userId);
  if (known) {
    if (now.getTime() - Date.parse(known.last_seen_at) > SEEN_EVERY_MS) await touchShopifyStaff(s.db, accountId, shop, userId, now);
    return known.role;
  }
  return s.db.transaction().execute(async (trx) => {
    // Two first requests at once must not both find "no owner yet".
    await lockAccount(trx, accountId);
    const again = await findShopifyStaff(trx, accountId, shop, userId);
    if (again) return again.role;
    const owners = await countOwners(trx, accountId);
    const role = firstStaffRole({ owners, predatesRoles: owners === 0 && (await accountPredatesRoles(trx, accountId)) });
    const at = now.toISOString();
    await insertShopifyStaff(trx, { account_id: accountId, shop, shopify_user_id: userId, role, first_seen_at: at, last_seen_at: at, updated_at: at });
    await recordAudit(trx, {
      accountId,
      actorType: "shopify_staff",
      actorId: shop,
      action: "team.shopify_staff_added",
      subjectType: "shopify_staff",
      subjectId: `${shop}:${userId}`,
      details: { role },
    });
    return role;
  });
}
