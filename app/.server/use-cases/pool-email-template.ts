import { AccountScope } from "../db/repositories/account-scope.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { updatePool } from "../db/repositories/pools-repo.ts";
import type { Pool } from "../db/schema.ts";
import { renderEmail, templateWithOverrides, validateEmailTemplate, type EmailTemplate, type EmailTemplateField } from "../domain/email-template.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { defaultDeliveryTemplate } from "../mail/delivery-email-text.ts";
import type { Services } from "../ports.ts";
import { SUPPORTED_LOCALES, translator, type Locale } from "../../i18n/i18n.ts";
import { parseRecipient, sendAccountMail, takeMailTest, type MailTestResult, type SettingsActor } from "./manage-settings.ts";

/**
 * A pool's own delivery email (subject, HTML, text; each empty field falls back to the catalog's)
 * on the settings page: edit, preview in both languages, send a test. The preview and the test
 * are rendered by the renderer the real email uses (domain/email-template.ts) with sample data —
 * never a real key: the sample codes are made up.
 */

export const SAMPLE_KEYS = ["XXXX-XXXX-XXXX", "YYYY-YYYY-YYYY"] as const;

export interface PoolTemplate {
  poolId: string;
  name: string;
  subject: string;
  html: string;
  text: string;
}

export type TemplateInput = Partial<Record<EmailTemplateField, string | null | undefined>>;

export interface RenderedPreview {
  locale: Locale;
  subject: string;
  text: string;
  /** A whole HTML document (the page shows it in a sandboxed frame: no script runs, no same-origin access). */
  html: string;
}

function templateOf(p: Pool): PoolTemplate {
  return { poolId: p.id, name: p.name, subject: p.email_subject ?? "", html: p.email_html ?? "", text: p.email_text ?? "" };
}

async function poolOf(s: Pick<Services, "db">, accountId: string, poolId: string): Promise<Pool> {
  const pool = await new AccountScope(s.db, accountId).getPool(poolId);
  // Another account's pool is an unknown one.
  if (!pool) throw new InvalidInputError("pool_not_found", "no such pool", { params: { id: poolId } });
  return pool;
}

export async function listPoolTemplates(s: Pick<Services, "db">, accountId: string): Promise<PoolTemplate[]> {
  return (await new AccountScope(s.db, accountId).listPools()).map(templateOf);
}

/** Saves a pool's template (empty fields: the default). Audited with which fields changed and their sizes, not the text. */
export async function savePoolTemplate(s: Pick<Services, "db">, accountId: string, poolId: string, raw: TemplateInput, actor: SettingsActor): Promise<PoolTemplate> {
  const pool = await poolOf(s, accountId, poolId);
  const v = validateEmailTemplate(raw);
  const before = templateOf(pool);
  await updatePool(s.db, accountId, poolId, { email_subject: v.subject, email_html: v.html, email_text: v.text });
  const changed = (["subject", "html", "text"] as const).filter((f) => (before[f] || null) !== v[f]);
  if (changed.length > 0) {
    await recordAudit(s.db, {
      accountId,
      actorType: actor.type,
      actorId: actor.id ?? null,
      action: "pool.email_template_changed",
      subjectType: "pool",
      subjectId: poolId,
      details: { fields: Object.fromEntries(changed.map((f) => [f, { before: before[f].length, after: v[f]?.length ?? 0 }])) },
      ip: actor.ip ?? null,
    });
  }
  return templateOf((await poolOf(s, accountId, poolId))!);
}

/** The delivery email `raw` would make for a sample order of this pool, in `locale`. Invalid fields are refused naming the field. */
export async function renderPoolTemplate(
  s: Pick<Services, "db" | "config">,
  accountId: string,
  poolId: string,
  raw: TemplateInput,
  locale: Locale,
): Promise<RenderedPreview> {
  const pool = await poolOf(s, accountId, poolId);
  const own = validateEmailTemplate(raw);
  const [store] = await new AccountScope(s.db, accountId).listStores();
  const account = await s.db.selectFrom("accounts").select("name").where("id", "=", accountId).executeTakeFirst();
  const t = translator(locale);
  const buyer = t("settings.templates.sampleBuyer");
  const template: EmailTemplate = templateWithOverrides(defaultDeliveryTemplate(t, "delivery", { locale, hasBuyerName: true }), own);
  const url = `${s.config.appUrl.replace(/\/$/, "")}/k/sample`;
  const mail = renderEmail(template, {
    shop: store?.name ?? account?.name ?? "",
    order: "#1001",
    buyer,
    locale,
    lines: [{ title: pool.name, keys: [...SAMPLE_KEYS], notes: [] }],
    link: { url, label: t("emails.delivery.linkLabel"), text: t("emails.delivery.link", { url }) },
  });
  return { locale, ...mail };
}

export async function previewPoolTemplate(s: Pick<Services, "db" | "config">, accountId: string, poolId: string, raw: TemplateInput): Promise<RenderedPreview[]> {
  return Promise.all(SUPPORTED_LOCALES.map((l) => renderPoolTemplate(s, accountId, poolId, raw, l)));
}

/** A test send of the (unsaved) template with the sample keys, in `locale`, to `to`; audited. */
export async function sendPoolTemplateTest(
  s: Pick<Services, "db" | "config" | "mailer" | "log" | "mailTestLimiter">,
  accountId: string,
  poolId: string,
  raw: TemplateInput,
  rawTo: unknown,
  locale: Locale,
  actor: SettingsActor,
): Promise<MailTestResult> {
  const to = parseRecipient(rawTo);
  const mail = await renderPoolTemplate(s, accountId, poolId, raw, locale);
  await takeMailTest(s, accountId);
  const r = await sendAccountMail(s, accountId, { to, subject: mail.subject, text: mail.text, html: mail.html });
  await recordAudit(s.db, {
    accountId,
    actorType: actor.type,
    actorId: actor.id ?? null,
    action: "pool.email_template_tested",
    subjectType: "pool",
    subjectId: poolId,
    details: r.sent ? { to, locale, sent: true } : { to, locale, sent: false, code: r.code },
    ip: actor.ip ?? null,
  });
  return r;
}
