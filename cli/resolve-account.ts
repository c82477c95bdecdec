import type { Services } from "../app/.server/ports.ts";
import { UsageError } from "./output.ts";

/** `--account ID`, or the only account there is (the usual single-merchant installation). */
export async function resolveAccount(s: Pick<Services, "db">, given: unknown): Promise<string> {
  if (typeof given === "string" && given) {
    const found = await s.db.selectFrom("accounts").select("id").where("id", "=", given).executeTakeFirst();
    if (!found) throw new UsageError("accountUnknown", { id: given });
    return found.id;
  }
  const accounts = await s.db.selectFrom("accounts").select("id").limit(2).execute();
  if (accounts.length === 1) return accounts[0].id;
  throw new UsageError(accounts.length === 0 ? "accountNone" : "accountNeeded");
}
