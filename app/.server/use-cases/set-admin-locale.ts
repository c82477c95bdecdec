import { setAdminLocale as saveLocale } from "../db/repositories/admin-users-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { isLocale } from "../../i18n/i18n.ts";
import type { Services } from "../ports.ts";

export async function setAdminLocale(s: Pick<Services, "db">, userId: string, locale: unknown): Promise<void> {
  if (!isLocale(locale)) throw new InvalidInputError("invalid_input", "unsupported locale", { field: "locale", params: { detail: String(locale) } });
  await saveLocale(s.db, userId, locale);
}
