import crypto from "node:crypto";
import type { Account } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { batchRead } from "../batch-reads.ts";

export async function createAccount(db: Executor, input: { name: string; defaultLocale?: string; alertEmail?: string }): Promise<Account> {
  const now = new Date().toISOString();
  const row = {
    id: crypto.randomUUID(),
    name: input.name,
    default_locale: input.defaultLocale ?? "en",
    alert_email: input.alertEmail ?? null,
    mail_from: null,
    mail_reply_to: null,
    require_owner_2fa: 0 as const,
    time_zone: "UTC",
    currency: "USD",
    mail_sender_name: null,
    low_stock_threshold: 0,
    risk_host_wait_minutes: 10,
    risk_host_fallback: "review" as const,
    audit_retention_days: null,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto("accounts").values(row).execute();
  return row;
}

/** Read once per job batch outside transactions (batch-reads.ts); each caller gets its own copy. */
export async function getAccount(db: Executor, id: string): Promise<Account | undefined> {
  const row = await batchRead(db, `account:${id}`, () => db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst());
  return row && { ...row };
}

/**
 * Takes the account row's write lock for the rest of the transaction (a no-op UPDATE; portable,
 * where SELECT … FOR UPDATE is not): two transactions that each check "is this the last admin?"
 * then act are serialised.
 */
export async function lockAccount(db: Executor, id: string): Promise<void> {
  await db
    .updateTable("accounts")
    .set((eb) => ({ updated_at: eb.ref("updated_at") }))
    .where("id", "=", id)
    .execute();
}
