import { recordAudit } from "../db/repositories/audit-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { parseStoreSettings, type StoreSettings } from "../domain/store-settings.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/**
 * Changes a store's own choices (today: whether keyrelay sends its own delivery email). Only the
 * settings given change; the others are kept. Audited with the old and new values.
 */
export async function updateStoreSettings(s: Pick<Services, "db">, accountId: string, storeId: string, change: StoreSettings, actor: Actor): Promise<StoreSettings> {
  if (change.sendEmail !== undefined && typeof change.sendEmail !== "boolean") throw new InvalidInputError("invalid_input", "sendEmail must be true or false", { field: "sendEmail", params: { detail: "sendEmail" } });
  return s.db.transaction().execute(async (trx) => {
    const store = await trx.selectFrom("stores").select(["id", "settings"]).where("account_id", "=", accountId).where("id", "=", storeId).executeTakeFirst();
    if (!store) throw new InvalidInputError("store_not_found", "no such store", { field: "storeId", params: { id: storeId } });
    const before = parseStoreSettings(store.settings);
    const after: StoreSettings = { ...before, ...change };
    await trx.updateTable("stores").set({ settings: JSON.stringify(after), updated_at: new Date().toISOString() }).where("id", "=", store.id).where("account_id", "=", accountId).execute();
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "store.settings_changed", subjectType: "store", subjectId: store.id, details: { before, after } });
    return after;
  });
}
