import crypto from "node:crypto";
import type { AdminUser } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export async function insertAdminUser(
  db: Executor,
  input: { accountId: string; email: string; passwordHash: string; role?: AdminUser["role"]; locale?: string | null },
): Promise<AdminUser> {
  const now = new Date().toISOString();
  const row = {
    id: crypto.randomUUID(),
    account_id: input.accountId,
    email: input.email,
    password_hash: input.passwordHash,
    role: input.role ?? "owner",
    locale: input.locale ?? null,
    disabled: 0 as const,
    last_login_at: null,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto("admin_users").values(row).execute();
  return row;
}

export async function findAdminByEmail(db: Executor, email: string): Promise<AdminUser | undefined> {
  return db.selectFrom("admin_users").selectAll().where("email", "=", email).executeTakeFirst();
}

export async function getAdminUser(db: Executor, id: string): Promise<AdminUser | undefined> {
  return db.selectFrom("admin_users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function touchAdminLogin(db: Executor, id: string): Promise<void> {
  const now = new Date().toISOString();
  await db.updateTable("admin_users").set({ last_login_at: now, updated_at: now }).where("id", "=", id).execute();
}

export async function setAdminLocale(db: Executor, id: string, locale: string): Promise<void> {
  await db.updateTable("admin_users").set({ locale, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
}

export async function countAdminUsers(db: Executor): Promise<number> {
  const r = await db.selectFrom("admin_users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function setAdminPasswordHash(db: Executor, id: string, passwordHash: string): Promise<void> {
  await db.updateTable("admin_users").set({ password_hash: passwordHash, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
}

export async function countAccountAdmins(db: Executor, accountId: string): Promise<number> {
  const r = await db
    .selectFrom("admin_users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("account_id", "=", accountId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function deleteAdminUser(db: Executor, id: string): Promise<void> {
  await db.deleteFrom("admin_users").where("id", "=", id).execute();
}
