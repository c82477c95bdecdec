import { getAccount } from "../db/repositories/accounts-repo.ts";
import { getAdminUser } from "../db/repositories/admin-users-repo.ts";
import type { Services } from "../ports.ts";

export interface AdminProfile {
  email: string;
  locale: string | null;
  accountName: string;
  accountLocale: string | null;
}

/** Who is signed in, for the page chrome and the language choice. */
export async function getAdminProfile(s: Pick<Services, "db">, userId: string): Promise<AdminProfile | undefined> {
  const user = await getAdminUser(s.db, userId);
  if (!user || user.disabled) return undefined;
  const account = await getAccount(s.db, user.account_id);
  return { email: user.email, locale: user.locale, accountName: account?.name ?? "", accountLocale: account?.default_locale ?? null };
}
