import type { AccountSettings, SettingKey } from "../../domain/account-settings.ts";
import type { Account, AccountsTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { batchRead, forgetBatchRead } from "../batch-reads.ts";

/** Where each setting lives in the accounts row. */
const COLUMNS = {
  "account.name": "name",
  "account.timezone": "time_zone",
  "account.currency": "currency",
  "account.language": "default_locale",
  "email.sender_name": "mail_sender_name",
  "email.reply_to": "mail_reply_to",
  "low_stock.threshold": "low_stock_threshold",
  "low_stock.alert_email": "alert_email",
  "risk.host_wait_minutes": "risk_host_wait_minutes",
  "risk.host_fallback": "risk_host_fallback",
  "audit.retention_days": "audit_retention_days",
} as const satisfies Record<SettingKey, keyof AccountsTable>;

export function settingsOf(a: Account): AccountSettings {
  return {
    "account.name": a.name,
    "account.timezone": a.time_zone,
    "account.currency": a.currency,
    // Accounts made before the setting was checked may hold another tag; the nearest supported one.
    "account.language": a.default_locale === "zh-CN" ? "zh-CN" : "en",
    "email.sender_name": a.mail_sender_name,
    "email.reply_to": a.mail_reply_to,
    "low_stock.threshold": Number(a.low_stock_threshold),
    "low_stock.alert_email": a.alert_email,
    "risk.host_wait_minutes": Number(a.risk_host_wait_minutes),
    "risk.host_fallback": a.risk_host_fallback === "allow" ? "allow" : "review",
    "audit.retention_days": a.audit_retention_days === null || a.audit_retention_days === undefined ? null : Number(a.audit_retention_days),
  };
}

export async function readAccountSettings(db: Executor, accountId: string): Promise<AccountSettings | undefined> {
  // The accounts row getAccount reads: one read per job batch serves both (batch-reads.ts).
  const row = await batchRead(db, `account:${accountId}`, () => db.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst());
  return row ? settingsOf(row) : undefined;
}

export async function writeAccountSettings(db: Executor, accountId: string, patch: Partial<AccountSettings>): Promise<void> {
  const set: Record<string, unknown> = { updated_at: new Date().toISOString() };
  for (const [key, value] of Object.entries(patch)) set[COLUMNS[key as SettingKey]] = value;
  await db.updateTable("accounts").set(set).where("id", "=", accountId).execute();
  forgetBatchRead(`account:${accountId}`);
}
