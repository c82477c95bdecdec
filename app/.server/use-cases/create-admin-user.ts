import { ensureRuleSet } from "./manage-risk-rules.ts";
import { z } from "zod";
import { createAccount, getAccount } from "../db/repositories/accounts-repo.ts";
import { findAdminByEmail, insertAdminUser } from "../db/repositories/admin-users-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { checkPasswordPolicy, MIN_PASSWORD_LENGTH } from "../auth/password-policy.ts";
import { hashPassword } from "../crypto/password.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";

export { MIN_PASSWORD_LENGTH };

const Input = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  // Its length and strength: checkPasswordPolicy, once the email is known (a password made of it is weak).
  password: z.string(),
  accountId: z.string().optional(),
  accountName: z.string().trim().min(1).max(200).optional(),
  locale: z.enum(["en", "zh-CN"]).optional(),
});

export interface CreatedAdmin {
  userId: string;
  accountId: string;
  email: string;
  createdAccount: boolean;
}

/**
 * Creates a standalone-admin login. Without an account id it creates a new account (merchant)
 * owned by this user; with one, it adds a staff user to that account.
 */
export async function createAdminUser(
  s: Pick<Services, "db">,
  raw: { email: string; password: string; accountId?: string; accountName?: string; locale?: string },
  actor: { type: "cli" | "admin"; id?: string } = { type: "cli" },
): Promise<CreatedAdmin> {
  const parsed = Input.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0]);
    if (field === "email") throw new InvalidInputError("invalid_email", "That is not a valid email address.", { field });
    throw new InvalidInputError("invalid_input", `${field}: ${issue.message}`, { field });
  }
  const input = parsed.data;
  await checkPasswordPolicy(input.password, { email: input.email, field: "password" });
  const passwordHash = await hashPassword(input.password);
  return s.db.transaction().execute(async (trx) => {
    if (await findAdminByEmail(trx, input.email)) {
      throw new InvalidInputError("admin_email_taken", `An admin with the email ${input.email} already exists.`, {
        field: "email",
        params: { email: input.email },
      });
    }
    let accountId = input.accountId;
    let createdAccount = false;
    if (accountId) {
      if (!(await getAccount(trx, accountId))) {
        throw new InvalidInputError("account_not_found", `No account with id ${accountId}.`, { field: "accountId", params: { id: accountId } });
      }
    } else {
      const account = await createAccount(trx, {
        name: input.accountName ?? input.email.split("@")[1] ?? input.email,
        defaultLocale: input.locale,
        alertEmail: input.email,
      });
      accountId = account.id;
      createdAccount = true;
      // Risk control's default rules are on from install (README, "Risk control").
      await ensureRuleSet(trx, account.id, new Date().toISOString());
    }
    const user = await insertAdminUser(trx, {
      accountId,
      email: input.email,
      passwordHash,
      role: createdAccount ? "owner" : "manager",
      locale: input.locale ?? null,
    });
    await recordAudit(trx, {
      accountId,
      actorType: actor.type,
      actorId: actor.id ?? null,
      action: "admin.created",
      subjectType: "admin_user",
      subjectId: user.id,
      details: { email: input.email, role: user.role },
    });
    return { userId: user.id, accountId, email: input.email, createdAccount };
  });
}
