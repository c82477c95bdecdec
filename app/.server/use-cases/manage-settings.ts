import { z } from "zod";
import { readAccountSettings, writeAccountSettings } from "../db/repositories/account-settings-repo.ts";
import { lockAccount } from "../db/repositories/accounts-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { localDay, parseSettingsPatch, settingsDiff, type AccountSettings } from "../domain/account-settings.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { translator, type Locale } from "../../i18n/i18n.ts";
import type { Actor } from "./manage-pools.ts";

export type SettingsActor = Actor & { ip?: string | null };

function notFound(): InvalidInputError {
  return new InvalidInputError("account_not_found", "no such account");
}

export async function getAccountSettings(s: Pick<Services, "db">, accountId: string): Promise<AccountSettings> {
  const settings = await readAccountSettings(s.db, accountId);
  if (!settings) throw notFound();
  return settings;
}

/**
 * Saves any number of settings at once (the page sends them all, the CLI one): all are checked
 * before anything is written, so one bad value changes nothing. What actually changed is audited
 * as `settings.changed` with before and after per key (no setting is a secret).
 */
export async function updateAccountSettings(
  s: Pick<Services, "db">,
  accountId: string,
  raw: Record<string, unknown>,
  actor: SettingsActor,
): Promise<{ settings: AccountSettings; changed: string[] }> {
  const patch = parseSettingsPatch(raw);
  return s.db.transaction().execute(async (trx) => {
    // Two saves at once each compute their own before/after: serialise them on the account row.
    await lockAccount(trx, accountId);
    const before = await readAccountSettings(trx, accountId);
    if (!before) throw notFound();
    const changes = settingsDiff(before, patch);
    const changed = Object.keys(changes);
    if (changed.length > 0) {
      await writeAccountSettings(trx, accountId, patch);
      await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "settings.changed", subjectType: "account", subjectId: accountId, details: { changes }, ip: actor.ip ?? null });
    }
    return { settings: { ...before, ...patch }, changed };
  });
}

const Recipient = z.string().trim().toLowerCase().pipe(z.email());

export function parseRecipient(raw: unknown, field = "to"): string {
  const r = Recipient.safeParse(typeof raw === "string" ? raw : "");
  if (!r.success || /[\r\n]/.test(String(raw))) throw new InvalidInputError("invalid_email", "That is not a valid email address.", { field });
  return r.data;
}

export type MailTestResult = { sent: true; to: string } | { sent: false; to: string; code: string; detail: string };

/**
 * Sends `mail` through the configured mailer with the account's sender name and reply-to, and
 * answers what happened instead of throwing: the page shows the SMTP error (its code only — the
 * mailer's messages never carry the server's text or the credentials in SMTP_URL).
 */
export async function sendAccountMail(
  s: Pick<Services, "db" | "mailer" | "log">,
  accountId: string,
  mail: { to: string; subject: string; text: string; html?: string },
): Promise<MailTestResult> {
  const account = await s.db.selectFrom("accounts").select(["mail_from", "mail_sender_name", "mail_reply_to"]).where("id", "=", accountId).executeTakeFirst();
  if (!account) throw notFound();
  try {
    await s.mailer.send({ ...mail, from: account.mail_from ?? undefined, fromName: account.mail_sender_name ?? undefined, replyTo: account.mail_reply_to ?? undefined });
    return { sent: true, to: mail.to };
  } catch (e) {
    if (!(e instanceof KeyrelayError)) {
      s.log.warn({ code: (e as { code?: string }).code }, "test email failed unexpectedly");
      return { sent: false, to: mail.to, code: "mail_unavailable", detail: String((e as { code?: string }).code ?? "error") };
    }
    return { sent: false, to: mail.to, code: e.code, detail: String(e.params.detail ?? e.params.status ?? e.code) };
  }
}

/**
 * Takes one of the account's test emails (auth/mail-test-limiter.ts) before a test is sent, or
 * refuses it (429): embedded, a test goes to any typed address with the merchant's own content.
 */
export async function takeMailTest(s: Pick<Services, "mailTestLimiter">, accountId: string): Promise<void> {
  const wait = await s.mailTestLimiter.consume([`account:${accountId}`]);
  if (wait > 0) throw new InvalidInputError("mail_test_rate_limited", `Too many test emails. Try again in ${wait} seconds.`, { params: { seconds: wait, count: wait } });
}

/** The SMTP test button: a short email in the admin's language to `to`, audited either way. */
export async function sendSmtpTest(
  s: Pick<Services, "db" | "mailer" | "log" | "mailTestLimiter">,
  accountId: string,
  rawTo: unknown,
  locale: Locale,
  actor: SettingsActor,
): Promise<MailTestResult> {
  const to = parseRecipient(rawTo);
  const settings = await getAccountSettings(s, accountId);
  await takeMailTest(s, accountId);
  const t = translator(locale);
  const r = await sendAccountMail(s, accountId, {
    to,
    subject: t("emails.smtpTest.subject", { account: settings["account.name"] }),
    text: t("emails.smtpTest.text", { account: settings["account.name"] }),
  });
  await recordAudit(s.db, {
    accountId,
    actorType: actor.type,
    actorId: actor.id ?? null,
    action: "settings.email_tested",
    subjectType: "account",
    subjectId: accountId,
    details: r.sent ? { to, sent: true } : { to, sent: false, code: r.code, detail: r.detail },
    ip: actor.ip ?? null,
  });
  return r;
}

/** The calendar day of `at` in the account's time zone (export file names now; reports' days later). */
export async function accountDay(s: Pick<Services, "db">, accountId: string, at: Date = new Date()): Promise<string> {
  const settings = await readAccountSettings(s.db, accountId);
  return localDay(at, settings?.["account.timezone"] ?? "UTC");
}
