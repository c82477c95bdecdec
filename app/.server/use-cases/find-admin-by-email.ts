import { findAdminByEmail } from "../db/repositories/admin-users-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import type { AdminUser } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";

/** The admin a CLI command names with --email, or invalid input naming the field. */
export async function requireAdminByEmail(db: Executor, rawEmail: string): Promise<AdminUser> {
  const email = rawEmail.trim().toLowerCase();
  const user = email ? await findAdminByEmail(db, email) : undefined;
  if (!user) throw new InvalidInputError("admin_not_found", `No admin with the email ${email}.`, { field: "email", params: { email } });
  return user;
}
