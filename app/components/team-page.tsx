import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import { formatDateTime } from "../i18n/i18n.ts";
import type { TeamActionData, teamLoader } from "../.server/http/team-pages.ts";
import { errorText, useLocale } from "./pool-ui.tsx";

export type TeamPageData = Awaited<ReturnType<typeof teamLoader>>;
type Role = TeamPageData["roles"][number];

function useRoleOptions(roles: readonly Role[]) {
  const { t } = useTranslation();
  return roles.map((r) => ({ label: t(`team.roles.${r}`), value: r }));
}

/** The answer line beside a row's buttons: the error in the reader's language, or nothing. */
function RowError({ data }: { data: TeamActionData | undefined }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (!data || data.ok) return null;
  return (
    <Text as="span" tone="critical">
      {errorText(t, locale, data.error)}
    </Text>
  );
}

/** A member's role, changed in place (its own fetcher, so each row shows its own progress and error). */
function RoleControl({ data, current, fields, label }: { data: TeamPageData; current: Role; fields: Record<string, string>; label: string }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<TeamActionData>();
  const [role, setRole] = useState<Role>(current);
  const options = useRoleOptions(data.roles);
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="csrf" value={data.csrf} />
      <input type="hidden" name="intent" value="role" />
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <InlineStack gap="200" blockAlign="center" wrap={false}>
        <Select label={t("team.roleFor", { member: label })} labelHidden name="role" options={options} value={role} onChange={(v) => setRole(v as Role)} />
        <Button submit size="slim" disabled={role === current} loading={fetcher.state !== "idle"}>
          {t("team.saveRole")}
        </Button>
        <RowError data={fetcher.data} />
      </InlineStack>
    </fetcher.Form>
  );
}

function RemoveMember({ data, id, email }: { data: TeamPageData; id: string; email: string }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<TeamActionData>();
  const [confirming, setConfirming] = useState(false);
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="csrf" value={data.csrf} />
      <input type="hidden" name="intent" value="remove" />
      <input type="hidden" name="memberId" value={id} />
      <InlineStack gap="200" blockAlign="center" wrap={false}>
        <RowError data={fetcher.data} />
        {confirming ? (
          <>
            <Text as="span">{t("team.removeConfirm", { email })}</Text>
            <Button submit size="slim" tone="critical" variant="primary" loading={fetcher.state !== "idle"}>
              {t("team.remove")}
            </Button>
            <Button size="slim" onClick={() => setConfirming(false)}>
              {t("team.cancel")}
            </Button>
          </>
        ) : (
          <Button size="slim" tone="critical" onClick={() => setConfirming(true)} accessibilityLabel={t("team.removeOne", { email })}>
            {t("team.remove")}
          </Button>
        )}
      </InlineStack>
    </fetcher.Form>
  );
}

function InvitationActions({ data, id, email }: { data: TeamPageData; id: string; email: string }) {
  const { t } = useTranslation();
  const resend = useFetcher<TeamActionData>();
  const revoke = useFetcher<TeamActionData>();
  return (
    <InlineStack gap="200" blockAlign="center" wrap={false} align="end">
      <RowError data={resend.data ?? revoke.data} />
      {resend.data?.ok && resend.data.intent === "resend" ? <Badge tone={resend.data.sent ? "success" : "warning"}>{resend.data.sent ? t("team.sent") : t("team.notSent")}</Badge> : null}
      <resend.Form method="post">
        <input type="hidden" name="csrf" value={data.csrf} />
        <input type="hidden" name="intent" value="resend" />
        <input type="hidden" name="invitationId" value={id} />
        <Button submit size="slim" loading={resend.state !== "idle"} accessibilityLabel={t("team.resendOne", { email })}>
          {t("team.resend")}
        </Button>
      </resend.Form>
      <revoke.Form method="post">
        <input type="hidden" name="csrf" value={data.csrf} />
        <input type="hidden" name="intent" value="revoke" />
        <input type="hidden" name="invitationId" value={id} />
        <Button submit size="slim" tone="critical" loading={revoke.state !== "idle"} accessibilityLabel={t("team.revokeOne", { email })}>
          {t("team.revoke")}
        </Button>
      </revoke.Form>
    </InlineStack>
  );
}

function InviteForm({ data }: { data: TeamPageData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<TeamActionData>();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("support");
  const options = useRoleOptions(data.roles);
  const answer = fetcher.data;
  const failed = answer && !answer.ok ? answer.error : null;
  const done = answer?.ok && answer.intent === "invite" ? answer : null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("team.inviteTitle")}
        </Text>
        <Text as="p" tone="subdued">
          {t("team.inviteHelp")}
        </Text>
        {done ? (
          <Banner tone={done.sent ? "success" : "warning"}>
            {done.sent ? t("team.invited", { email: done.email, expires: formatDateTime(locale, done.expiresAt) }) : t("team.invitedNotSent", { email: done.email })}
          </Banner>
        ) : null}
        <fetcher.Form method="post">
          <input type="hidden" name="csrf" value={data.csrf} />
          <input type="hidden" name="intent" value="invite" />
          <FormLayout>
            <FormLayout.Group>
              <TextField
                label={t("team.email")}
                name="email"
                type="email"
                autoComplete="off"
                value={email}
                onChange={setEmail}
                error={failed && (failed.field === "email" || !failed.field) ? errorText(t, locale, failed) : undefined}
              />
              <Select label={t("team.role")} name="role" options={options} value={role} onChange={(v) => setRole(v as Role)} error={failed?.field === "role" ? errorText(t, locale, failed) : undefined} />
            </FormLayout.Group>
            <Button submit variant="primary" loading={fetcher.state !== "idle"}>
              {t("team.invite")}
            </Button>
          </FormLayout>
        </fetcher.Form>
      </BlockStack>
    </Card>
  );
}

/**
 * The team: who can sign in to this account with which role, Shopify staff seen in the embedded
 * admin, and open invitations. Only owners see it (the server refuses everyone else). Tables are
 * DataTables: nothing is selected here, and IndexTable's idle spinners never stop animating.
 */
export function TeamPage({ data }: { data: TeamPageData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const you = data.you;
  const memberRows = data.members.map((m) => [
    <InlineStack key="email" gap="200" blockAlign="center" wrap={false}>
      <Text as="span" fontWeight="semibold">
        {m.email}
      </Text>
      {you.kind === "admin" && you.id === m.id ? <Badge tone="info">{t("team.you")}</Badge> : null}
    </InlineStack>,
    <RoleControl key={`role-${m.role}`} data={data} current={m.role} fields={{ memberKind: "admin", memberId: m.id }} label={m.email} />,
    m.lastLoginAt ? formatDateTime(locale, m.lastLoginAt) : t("team.never"),
    <RemoveMember key="remove" data={data} id={m.id} email={m.email} />,
  ]);
  const staffRows = data.shopifyStaff.map((m) => {
    const label = t("team.shopifyStaffName", { id: m.userId });
    return [
      <InlineStack key="name" gap="200" blockAlign="center" wrap={false}>
        <Text as="span" fontWeight="semibold">
          {label}
        </Text>
        {you.kind === "shopify" && you.shop === m.shop && you.userId === m.userId ? <Badge tone="info">{t("team.you")}</Badge> : null}
      </InlineStack>,
      m.shop,
      <RoleControl key={`role-${m.role}`} data={data} current={m.role} fields={{ memberKind: "shopify", shop: m.shop, userId: m.userId }} label={label} />,
      formatDateTime(locale, m.lastSeenAt),
    ];
  });
  const inviteRows = data.invitations.map((inv) => [
    <Text key="email" as="span" fontWeight="semibold">
      {inv.email}
    </Text>,
    t(`team.roles.${inv.role}`),
    inv.state === "expired" ? (
      <Badge key="state" tone="warning">
        {t("team.expired")}
      </Badge>
    ) : (
      <Badge key="state" tone="attention">
        {t("team.pending")}
      </Badge>
    ),
    formatDateTime(locale, inv.expiresAt),
    <InvitationActions key="actions" data={data} id={inv.id} email={inv.email} />,
  ]);

  const section = (title: string, help: string | null, empty: string, headings: string[], rows: ReactNode[][]) => (
    <Card padding="0">
      <Box padding="400" paddingBlockEnd="200">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {help ? (
            <Text as="p" tone="subdued">
              {help}
            </Text>
          ) : null}
        </BlockStack>
      </Box>
      {rows.length === 0 ? (
        <Box padding="400" paddingBlockStart="0">
          <Text as="p" tone="subdued">
            {empty}
          </Text>
        </Box>
      ) : (
        <DataTable columnContentTypes={headings.map(() => "text" as const)} headings={headings} rows={rows} verticalAlign="middle" />
      )}
    </Card>
  );

  return (
    <Page title={t("team.title")} subtitle={t("team.subtitle")}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {section(t("team.members"), null, t("team.noMembers"), [t("team.columns.email"), t("team.columns.role"), t("team.columns.lastSignIn"), ""], memberRows)}
            {data.shopifyStaff.length > 0 || data.surface === "app"
              ? section(t("team.shopifyStaff"), t("team.shopifyStaffHelp"), t("team.noMembers"), [t("team.columns.member"), t("team.columns.shop"), t("team.columns.role"), t("team.columns.lastSeen")], staffRows)
              : null}
            {section(t("team.invitations"), null, t("team.noInvitations"), [t("team.columns.email"), t("team.columns.role"), t("team.columns.status"), t("team.columns.expires"), ""], inviteRows)}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <InviteForm data={data} />
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("team.rolesTitle")}
                </Text>
                {data.roles.map((r) => (
                  <BlockStack gap="050" key={r}>
                    <Text as="h3" variant="headingSm">
                      {t(`team.roles.${r}`)}
                    </Text>
                    <Text as="p" tone="subdued">
                      {t(`team.roleHelp.${r}`)}
                    </Text>
                  </BlockStack>
                ))}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
