import { twoFactorFacts } from "../db/repositories/two-factor-repo.ts";
import type { AdminUser } from "../db/schema.ts";
import { mustEnrol } from "../domain/two-factor-rules.ts";
import type { Services } from "../ports.ts";

/** Whether this admin must enrol in two-step verification before using the admin (one query; owners only ask). */
export async function ownerMustEnrol(s: Pick<Services, "db">, user: Pick<AdminUser, "id" | "account_id" | "role">): Promise<boolean> {
  if (user.role !== "owner") return false;
  return mustEnrol({ role: user.role, ...(await twoFactorFacts(s.db, user.account_id, user.id)) });
}
