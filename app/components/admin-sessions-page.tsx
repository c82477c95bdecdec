import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, InlineStack, Layout, Page, Pagination, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { Form, useFetcher } from "react-router";
import { formatDateTime, formatNumber } from "../i18n/i18n.ts";
import type { SessionsActionData, sessionsLoader } from "../.server/http/admin-account-pages.ts";
import type { AdminSessionSummary } from "../.server/use-cases/list-admin-sessions.ts";
import { errorText, useLocale } from "./pool-ui.tsx";

export type AdminSessionsData = Awaited<ReturnType<typeof sessionsLoader>>;

/** One session's "sign out": its own fetcher, so each row shows its own progress. */
function SignOutSession({ session, csrf }: { session: AdminSessionSummary; csrf: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<SessionsActionData>();
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data.error : null;
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="intent" value="end" />
      <input type="hidden" name="sessionId" value={session.id} />
      <InlineStack gap="200" blockAlign="center" align="end">
        {failed ? (
          <Text as="span" tone="critical">
            {errorText(t, locale, failed)}
          </Text>
        ) : null}
        <Button submit size="slim" loading={fetcher.state !== "idle"} accessibilityLabel={t("sessions.signOutOne", { device: session.device ?? t("sessions.unknownDevice") })}>
          {t("sessions.signOut")}
        </Button>
      </InlineStack>
    </fetcher.Form>
  );
}

/**
 * Where the signed-in admin is signed in: device, address, when it signed in and was last seen,
 * this browser marked; sign out one, every other, or all (this one too, which lands on /login).
 */
export function AdminSessionsPage({ data, actionData }: { data: AdminSessionsData; actionData?: SessionsActionData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const others = useFetcher<SessionsActionData>();
  const { csrf, sessions, page, pageCount, total } = data;
  // A fetcher's answer, or (without JavaScript) the page's own action answer.
  const answer = others.data ?? actionData;
  const othersDone = answer?.ok && answer.intent === "endOthers" ? answer : null;
  const othersFailed = answer && !answer.ok ? answer.error : null;
  const hasOthers = total > 1;

  const rows = sessions.map((s) => [
    <InlineStack key="device" gap="200" blockAlign="center" wrap={false}>
      <Text as="span" fontWeight="semibold">
        {s.device ?? t("sessions.unknownDevice")}
      </Text>
      {s.current ? <Badge tone="success">{t("sessions.thisDevice")}</Badge> : null}
    </InlineStack>,
    s.ip ?? t("sessions.unknownIp"),
    formatDateTime(locale, s.signedInAt),
    formatDateTime(locale, s.lastSeenAt),
    s.current ? "" : <SignOutSession key="signOut" session={s} csrf={csrf} />,
  ]);

  return (
    <Page title={t("sessions.title")} subtitle={t("sessions.subtitle")}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {othersDone ? <Banner tone="success">{t("sessions.othersEnded", { count: othersDone.ended, n: formatNumber(locale, othersDone.ended) })}</Banner> : null}
            {othersFailed ? <Banner tone="critical">{errorText(t, locale, othersFailed)}</Banner> : null}
            <Card padding="0">
              <Box padding="400" paddingBlockEnd="200">
                <Text as="p" tone="subdued">
                  {t("sessions.count", { count: total, n: formatNumber(locale, total) })}
                </Text>
              </Box>
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "numeric"]}
                headings={[t("sessions.columns.device"), t("sessions.columns.ip"), t("sessions.columns.signedIn"), t("sessions.columns.lastSeen"), t("sessions.columns.actions")]}
                rows={rows}
                verticalAlign="middle"
              />
              {pageCount > 1 ? (
                <Box padding="400">
                  <InlineStack align="center">
                    <Pagination
                      hasPrevious={page > 1}
                      previousURL={`/admin/sessions?page=${page - 1}`}
                      hasNext={page < pageCount}
                      nextURL={`/admin/sessions?page=${page + 1}`}
                      label={t("sessions.page", { page: formatNumber(locale, page), pages: formatNumber(locale, pageCount) })}
                    />
                  </InlineStack>
                </Box>
              ) : null}
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("sessions.signOutOthers")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("sessions.signOutOthersHelp")}
                </Text>
                <InlineStack>
                  <others.Form method="post">
                    <input type="hidden" name="csrf" value={csrf} />
                    <input type="hidden" name="intent" value="endOthers" />
                    <Button submit disabled={!hasOthers} loading={others.state !== "idle"}>
                      {t("sessions.signOutOthers")}
                    </Button>
                  </others.Form>
                </InlineStack>
              </BlockStack>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("sessions.signOutAll")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("sessions.signOutAllHelp")}
                </Text>
                <InlineStack>
                  {/* A navigation, not a fetcher: this browser is signed out and goes to /login. */}
                  <Form method="post">
                    <input type="hidden" name="csrf" value={csrf} />
                    <input type="hidden" name="intent" value="endAll" />
                    <Button submit tone="critical">
                      {t("sessions.signOutAll")}
                    </Button>
                  </Form>
                </InlineStack>
              </BlockStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
