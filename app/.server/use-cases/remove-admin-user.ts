import { lockAccount } from "../db/repositories/accounts-repo.ts";
import { revokeAdminSessions } from "../db/repositories/admin-sessions-repo.ts";
import { countAccountAdmins, deleteAdminUser } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { countOwners } from "../db/repositories/team-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { assertOwnerRemains } from "../domain/roles.ts";
import type { Services } from "../ports.ts";
import { requireAdminByEmail } from "./find-admin-by-email.ts";

/**
 * `admin remove --email E`: the admin's login goes, and with it every session at once. The last
 * admin of an account is refused: nobody could sign in to it any more (create another first).
 */
export async function removeAdminUser(s: Pick<Services, "db">, email: string): Promise<{ email: string; accountId: string; sessionsEnded: number }> {
  return s.db.transaction().execute(async (trx) => {
    const found = await requireAdminByEmail(trx, email);
    // Two removals in one account at once must not both see "another admin is left"; what was
    // read before the lock is read again after it.
    await lockAccount(trx, found.account_id);
    const user = await requireAdminByEmail(trx, email);
    if ((await countAccountAdmins(trx, user.account_id)) <= 1) {
      throw new InvalidInputError("admin_last_of_account", `${user.email} is the only admin of the account; create another admin before removing this one.`, {
        field: "email",
        params: { email: user.email },
      });
    }
    // The same rule as the team page and `team remove`: an account keeps an owner.
    assertOwnerRemains({ from: user.role, to: null, owners: await countOwners(trx, user.account_id) }, user.email);
    // The rows would go with the user (ON DELETE CASCADE); ending them first counts them.
    const sessionsEnded = await revokeAdminSessions(trx, user.id, new Date());
    await deleteAdminUser(trx, user.id);
    await recordAudit(trx, {
      accountId: user.account_id,
      actorType: "cli",
      action: "admin.removed",
      subjectType: "admin_user",
      subjectId: user.id,
      details: { email: user.email, role: user.role, sessionsEnded },
    });
    return { email: user.email, accountId: user.account_id, sessionsEnded };
  });
}
