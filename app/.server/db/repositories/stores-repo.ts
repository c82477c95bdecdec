import crypto from "node:crypto";
import type { Store, StorePlatform, StoreStatus } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { batchRead, forgetBatchRead } from "../batch-reads.ts";

export async function findStoreByDomain(db: Executor, platform: StorePlatform, domain: string): Promise<Store | undefined> {
  return db.selectFrom("stores").selectAll().where("platform", "=", platform).where("domain", "=", domain).executeTakeFirst();
}

/** Read once per job batch outside transactions (batch-reads.ts); each caller gets its own copy. */
export async function findStoreById(db: Executor, id: string): Promise<Store | undefined> {
  const row = await batchRead(db, `store:${id}`, () => db.selectFrom("stores").selectAll().where("id", "=", id).executeTakeFirst());
  return row && { ...row };
}

export async function listStoresByIds(db: Executor, ids: string[]): Promise<Map<string, Store>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("stores").selectAll().where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function insertStore(
  db: Executor,
  input: { id?: string; accountId: string; platform: StorePlatform; domain: string; name: string; status?: StoreStatus },
): Promise<Store> {
  const now = new Date().toISOString();
  const row: Store = {
    id: input.id ?? crypto.randomUUID(),
    account_id: input.accountId,
    platform: input.platform,
    domain: input.domain,
    name: input.name,
    credentials_ciphertext: null,
    credentials_key_id: null,
    webhook_secret_ciphertext: null,
    webhook_secret_key_id: null,
    status: input.status ?? "active",
    settings: "{}",
    locale: null,
    currency: null,
    reconcile_cursor: null,
    reconciled_at: null,
    installed_at: input.platform === "shopify" ? now : null,
    attention: null,
    attention_at: null,
    host_webhook_id: null,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto("stores").values(row).execute();
  return row;
}

export async function setStoreStatus(db: Executor, id: string, status: StoreStatus): Promise<void> {
  await db.updateTable("stores").set({ status, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
  forgetBatchRead(`store:${id}`);
}

/** Sets what needs the merchant's attention; true when it changed (so it is audited once). */
export async function flagStoreAttention(db: Executor, id: string, attention: string): Promise<boolean> {
  const now = new Date().toISOString();
  const r = await db
    .updateTable("stores")
    .set({ attention, attention_at: now, updated_at: now })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("attention", "is", null), eb("attention", "!=", attention)]))
    .executeTakeFirst();
  forgetBatchRead(`store:${id}`);
  return Number(r.numUpdatedRows) === 1;
}

export async function clearStoreAttention(db: Executor, id: string): Promise<void> {
  await db.updateTable("stores").set({ attention: null, attention_at: null, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
  forgetBatchRead(`store:${id}`);
}
