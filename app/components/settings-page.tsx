import { Banner, BlockStack, Box, Button, Card, FormLayout, InlineGrid, InlineStack, Layout, Link, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import { SUPPORTED_LOCALES, type Locale } from "../i18n/i18n.ts";
import type { SettingsActionData, SettingsPageData } from "../.server/http/settings-pages.ts";
import type { MailTestResult } from "../.server/use-cases/manage-settings.ts";
import type { RenderedPreview } from "../.server/use-cases/pool-email-template.ts";
import { FormSection } from "./form-section.tsx";
import { errorText, useLocale } from "./pool-ui.tsx";

type SettingsValues = SettingsPageData["settings"];

// The template language's own words (domain/email-template.ts), shown as they are typed.
const PLACEHOLDER_LIST = ["shop", "order", "buyer", "products", "keys"].map((p) => `{{${p}}}`).join(" ");
type Key = keyof SettingsValues;

/** What a test send answered: sent to whom, or the SMTP error's code (never the server's text). */
function MailResult({ result }: { result: MailTestResult | undefined }) {
  const { t } = useTranslation();
  if (!result) return null;
  return result.sent ? (
    <Banner tone="success">{t("settings.testSent", { to: result.to })}</Banner>
  ) : (
    <Banner tone="critical">{t("settings.testFailed", { to: result.to, detail: result.detail })}</Banner>
  );
}

/** Where a test email goes: the signed-in admin's own address (standalone), or one typed (embedded). */
function Recipient({ data, value, onChange, error }: { data: SettingsPageData; value: string; onChange(v: string): void; error?: string }) {
  const { t } = useTranslation();
  if (data.adminEmail) {
    return (
      <Text as="p" tone="subdued">
        {t("settings.testTo", { email: data.adminEmail })}
      </Text>
    );
  }
  return <TextField label={t("settings.testRecipient")} name="to" type="email" autoComplete="email" value={value} onChange={onChange} error={error} />;
}

function AccountForm({ data }: { data: SettingsPageData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<SettingsActionData>();
  const [values, setValues] = useState(() => asText(data.settings));
  const set = (k: Key) => (v: string) => setValues((old) => ({ ...old, [k]: v }));
  const answer = fetcher.data;
  const failed = answer && !answer.ok ? answer.error : null;
  const saved = answer?.ok && answer.intent === "save" ? answer : null;
  const errorOf = (k: Key) => (failed?.field === k ? errorText(t, locale, failed) : undefined);
  const field = (k: Key, extra: { type?: "email" | "number"; helpText?: string } = {}) => (
    <TextField label={t(`settings.fields.${k}`)} name={k} autoComplete="off" value={values[k]} onChange={set(k)} error={errorOf(k)} {...extra} />
  );
  return (
    // noValidate: the server checks every field and answers in the reader's language, beside the field.
    <fetcher.Form method="post" noValidate>
      <input type="hidden" name="csrf" value={data.csrf} />
      <input type="hidden" name="intent" value="save" />
      <BlockStack gap="400">
        {saved ? <Banner tone="success">{saved.changed.length ? t("settings.saved", { count: saved.changed.length }) : t("settings.unchanged")}</Banner> : null}
        {failed && !failed.field ? <Banner tone="critical">{errorText(t, locale, failed)}</Banner> : null}
        <FormSection title={t("settings.accountTitle")}>
          {field("account.name")}
          <FormLayout.Group>
            <Select
              label={t("settings.fields.account.timezone")}
              name="account.timezone"
              options={data.timeZones}
              value={values["account.timezone"]}
              onChange={set("account.timezone")}
              error={errorOf("account.timezone")}
              helpText={t("settings.timezoneHelp")}
            />
            <Select
              label={t("settings.fields.account.currency")}
              name="account.currency"
              options={data.currencies}
              value={values["account.currency"]}
              onChange={set("account.currency")}
              error={errorOf("account.currency")}
              helpText={t("settings.currencyHelp")}
            />
            <Select
              label={t("settings.fields.account.language")}
              name="account.language"
              options={SUPPORTED_LOCALES.map((l) => ({ label: t(`locale.${l}`), value: l }))}
              value={values["account.language"]}
              onChange={set("account.language")}
              error={errorOf("account.language")}
              helpText={t("settings.languageHelp")}
            />
          </FormLayout.Group>
        </FormSection>
        <FormSection title={t("settings.emailTitle")}>
          <FormLayout.Group>
            {field("email.sender_name", { helpText: t("settings.senderHelp") })}
            {field("email.reply_to", { type: "email", helpText: t("settings.replyToHelp") })}
          </FormLayout.Group>
        </FormSection>
        <FormSection title={t("settings.lowStockTitle")}>
          <FormLayout.Group>
            {field("low_stock.threshold", { type: "number", helpText: t("settings.thresholdHelp") })}
            {field("low_stock.alert_email", { type: "email", helpText: t("settings.alertEmailHelp") })}
          </FormLayout.Group>
        </FormSection>
        <FormSection title={t("settings.hostRiskTitle")}>
          <FormLayout.Group>
            {field("risk.host_wait_minutes", { type: "number", helpText: t("settings.hostWaitHelp") })}
            <Select
              label={t("settings.fields.risk.host_fallback")}
              name="risk.host_fallback"
              options={(["review", "allow"] as const).map((v) => ({ label: t(`settings.hostFallback.${v}`), value: v }))}
              value={values["risk.host_fallback"]}
              onChange={set("risk.host_fallback")}
              error={errorOf("risk.host_fallback")}
              helpText={t("settings.hostFallbackHelp")}
            />
          </FormLayout.Group>
        </FormSection>
        <FormSection title={t("settings.auditTitle")}>
          {field("audit.retention_days", { type: "number", helpText: t("settings.auditRetentionHelp") })}
        </FormSection>
        <InlineStack align="end">
          <Button submit variant="primary" loading={fetcher.state !== "idle"}>
            {t("settings.save")}
          </Button>
        </InlineStack>
      </BlockStack>
    </fetcher.Form>
  );
}

function asText(s: SettingsValues): Record<Key, string> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v === null ? "" : String(v)])) as Record<Key, string>;
}

function SmtpTest({ data }: { data: SettingsPageData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<SettingsActionData>();
  const [to, setTo] = useState("");
  const answer = fetcher.data;
  const failed = answer && !answer.ok ? answer.error : null;
  return (
    <Card>
      <fetcher.Form method="post" noValidate>
        <input type="hidden" name="csrf" value={data.csrf} />
        <input type="hidden" name="intent" value="smtp-test" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("settings.smtpTitle")}
          </Text>
          <Text as="p" tone="subdued">
            {t("settings.smtpHelp")}
          </Text>
          <Recipient data={data} value={to} onChange={setTo} error={failed ? errorText(t, locale, failed) : undefined} />
          <MailResult result={answer?.ok && answer.intent === "smtp-test" ? answer.result : undefined} />
          <InlineStack>
            <Button submit loading={fetcher.state !== "idle"}>
              {t("settings.smtpSend")}
            </Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}

/** One language's rendering: the subject, the HTML in a sandboxed frame (no script, no same-origin access), the text. */
function PreviewPane({ preview }: { preview: RenderedPreview }) {
  const { t } = useTranslation();
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        {t(`locale.${preview.locale}`)}
      </Text>
      <Text as="p" fontWeight="semibold">
        <span data-preview-subject={preview.locale}>{preview.subject}</span>
      </Text>
      <iframe
        title={t("settings.templates.previewOf", { language: t(`locale.${preview.locale}`) })}
        data-preview-html={preview.locale}
        sandbox=""
        srcDoc={preview.html}
        style={{ width: "100%", height: 340, border: "1px solid #e3e3e3", borderRadius: 8, background: "#fff" }}
      />
      <Box background="bg-surface-secondary" padding="200" borderRadius="200">
        <pre data-preview-text={preview.locale} style={{ margin: 0, whiteSpace: "pre-wrap", fontSize: 12 }}>
          {preview.text}
        </pre>
      </Box>
    </BlockStack>
  );
}

/**
 * A pool's delivery email: edit, preview in both languages as it is typed (the server renders it,
 * through the email's own renderer), save, and send a test with made-up sample keys.
 */
function PoolTemplates({ data }: { data: SettingsPageData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [poolId, setPoolId] = useState(data.pools[0]?.poolId ?? "");
  const saved = data.pools.find((p) => p.poolId === poolId);
  const [draft, setDraft] = useState({ subject: saved?.subject ?? "", html: saved?.html ?? "", text: saved?.text ?? "" });
  const [to, setTo] = useState("");
  const [testLocale, setTestLocale] = useState<Locale>(locale);
  const previewer = useFetcher<SettingsActionData>();
  const saver = useFetcher<SettingsActionData>();
  const tester = useFetcher<SettingsActionData>();
  const [preview, setPreview] = useState<RenderedPreview[] | null>(data.preview);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The newest preview answer replaces the panes; a refused one keeps the last good panes and names the field.
  useEffect(() => {
    const d = previewer.data;
    if (d?.ok && d.intent === "template-preview" && d.poolId === poolId) setPreview(d.preview);
  }, [previewer.data, poolId]);

  const requestPreview = (next: typeof draft, id = poolId) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => previewer.submit({ csrf: data.csrf, intent: "template-preview", poolId: id, ...next }, { method: "post" }), 300);
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  if (data.pools.length === 0) {
    return (
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {t("settings.templates.title")}
          </Text>
          <Text as="p" tone="subdued">
            {t("settings.templates.noPools")} <Link url={`${data.base}/pools/new`}>{t("settings.templates.createPool")}</Link>
          </Text>
        </BlockStack>
      </Card>
    );
  }

  const change = (k: keyof typeof draft) => (v: string) => {
    const next = { ...draft, [k]: v };
    setDraft(next);
    requestPreview(next);
  };
  const choosePool = (id: string) => {
    const p = data.pools.find((x) => x.poolId === id);
    const next = { subject: p?.subject ?? "", html: p?.html ?? "", text: p?.text ?? "" };
    setPoolId(id);
    setDraft(next);
    requestPreview(next, id);
  };
  // The field a refusal is about, from whichever request heard it last.
  const failed = [saver.data, previewer.data, tester.data].map((d) => (d && !d.ok ? d.error : null)).find(Boolean) ?? null;
  const errorOf = (f: string) => (failed?.field === f ? errorText(t, locale, failed) : undefined);
  const hidden = (intent: string) => (
    <>
      <input type="hidden" name="csrf" value={data.csrf} />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="poolId" value={poolId} />
      <input type="hidden" name="subject" value={draft.subject} />
      <input type="hidden" name="html" value={draft.html} />
      <input type="hidden" name="text" value={draft.text} />
    </>
  );

  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {t("settings.templates.title")}
        </Text>
        <Text as="p" tone="subdued">
          {t("settings.templates.help")}
        </Text>
        <Select label={t("settings.templates.pool")} options={data.pools.map((p) => ({ label: p.name, value: p.poolId }))} value={poolId} onChange={choosePool} />
        <FormLayout>
          <TextField label={t("settings.templates.subject")} autoComplete="off" value={draft.subject} onChange={change("subject")} error={errorOf("subject")} placeholder={t("settings.templates.defaultPlaceholder")} />
          <TextField label={t("settings.templates.text")} autoComplete="off" multiline={5} value={draft.text} onChange={change("text")} error={errorOf("text")} placeholder={t("settings.templates.defaultPlaceholder")} />
          <TextField label={t("settings.templates.html")} autoComplete="off" multiline={5} monospaced value={draft.html} onChange={change("html")} error={errorOf("html")} placeholder={t("settings.templates.defaultPlaceholder")} />
        </FormLayout>
        <Text as="p" tone="subdued">
          {t("settings.templates.placeholders", { list: PLACEHOLDER_LIST, keys: "{{keys}}" })}
        </Text>
        {preview ? (
          <div data-preview-panes="">
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              {preview.map((p) => (
                <PreviewPane key={p.locale} preview={p} />
              ))}
            </InlineGrid>
          </div>
        ) : null}
        {saver.data?.ok && saver.data.intent === "template-save" ? <Banner tone="success">{t("settings.templates.saved", { pool: saver.data.pool.name })}</Banner> : null}
        <InlineStack gap="300" align="end" blockAlign="end">
          <saver.Form method="post">
            {hidden("template-save")}
            <Button submit variant="primary" loading={saver.state !== "idle"}>
              {t("settings.templates.save")}
            </Button>
          </saver.Form>
        </InlineStack>
        <tester.Form method="post" noValidate>
          {hidden("template-test")}
          <input type="hidden" name="locale" value={testLocale} />
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">
              {t("settings.templates.testTitle")}
            </Text>
            <Text as="p" tone="subdued">
              {t("settings.templates.testHelp")}
            </Text>
            <FormLayout>
              <FormLayout.Group>
                <Select
                  label={t("settings.templates.testLanguage")}
                  options={SUPPORTED_LOCALES.map((l) => ({ label: t(`locale.${l}`), value: l }))}
                  value={testLocale}
                  onChange={(v) => setTestLocale(v as Locale)}
                />
                <Recipient data={data} value={to} onChange={setTo} error={errorOf("to")} />
              </FormLayout.Group>
            </FormLayout>
            <MailResult result={tester.data?.ok && tester.data.intent === "template-test" ? tester.data.result : undefined} />
            <InlineStack>
              <Button submit loading={tester.state !== "idle"}>
                {t("settings.templates.testSend")}
              </Button>
            </InlineStack>
          </BlockStack>
        </tester.Form>
      </BlockStack>
    </Card>
  );
}

/** Pages that belong with the settings. Only ones that exist are linked. */
function MoreLinks({ data }: { data: SettingsPageData }) {
  const { t } = useTranslation();
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("settings.moreTitle")}
        </Text>
        <Link url={`${data.base}/team`}>{t("settings.linkTeam")}</Link>
        {data.surface === "admin" ? <Link url="/admin/sessions">{t("settings.linkSessions")}</Link> : null}
        {/* Risk rules and backups are linked here once their pages exist (issue 17: "links to risk rules, team and backups"). */}
      </BlockStack>
    </Card>
  );
}

/** The settings page of both admins (owners only; the server refuses it to every other role). */
export function SettingsPage({ data }: { data: SettingsPageData }) {
  const { t } = useTranslation();
  return (
    <Page title={t("settings.title")}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <AccountForm data={data} />
            <SmtpTest data={data} />
            <PoolTemplates data={data} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <MoreLinks data={data} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
