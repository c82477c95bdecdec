import { Banner, BlockStack, Box, Button, Card, FormLayout, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import { formatNumber } from "../i18n/i18n.ts";
import type { PasswordActionData, passwordLoader } from "../.server/http/admin-account-pages.ts";
import { errorText, useLocale } from "./pool-ui.tsx";

export type AdminPasswordData = Awaited<ReturnType<typeof passwordLoader>>;

type Field = "currentPassword" | "newPassword" | "confirmPassword";

/** Which field an error is about: the use-cases name it; "password" (the create-admin rules) is the new one. */
function fieldOf(field: string | undefined): Field | null {
  if (field === "currentPassword" || field === "newPassword" || field === "confirmPassword") return field;
  if (field === "password") return "newPassword";
  return null;
}

/** The signed-in admin's password: the current one, the new one twice. Other sessions end; this one stays. */
export function AdminPasswordPage({ data, actionData }: { data: AdminPasswordData; actionData?: PasswordActionData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<PasswordActionData>();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  // The fetcher's answer, or (a form posted without JavaScript) the page's own action answer.
  const result = fetcher.state === "idle" ? (fetcher.data ?? actionData) : undefined;
  const error = result && !result.ok ? result.error : null;
  const field = error ? fieldOf(error.field) : null;
  const message = error ? errorText(t, locale, error) : "";
  const errorFor = (f: Field) => (field === f ? message : undefined);

  // A changed password is not left in the form.
  useEffect(() => {
    if (result?.ok) {
      setCurrent("");
      setNext("");
      setConfirm("");
    }
  }, [result]);

  return (
    <Page narrowWidth title={t("password.title")} subtitle={t("password.subtitle", { email: data.email })}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.ok ? <Banner tone="success">{t("password.changed", { count: result.sessionsEnded, n: formatNumber(locale, result.sessionsEnded) })}</Banner> : null}
            {error && !field ? <Banner tone="critical">{message}</Banner> : null}
            <Card>
              <fetcher.Form method="post" autoComplete="off">
                <input type="hidden" name="csrf" value={data.csrf} />
                {/* Lets a password manager tell whose password this is. */}
                <input type="hidden" name="username" autoComplete="username" value={data.email} />
                <FormLayout>
                  <TextField
                    label={t("password.current")}
                    name="currentPassword"
                    type="password"
                    autoComplete="current-password"
                    value={current}
                    onChange={setCurrent}
                    error={errorFor("currentPassword")}
                  />
                  <TextField
                    label={t("password.new")}
                    name="newPassword"
                    type="password"
                    autoComplete="new-password"
                    value={next}
                    onChange={setNext}
                    helpText={t("password.newHelp", { min: data.minLength })}
                    error={errorFor("newPassword")}
                  />
                  <TextField
                    label={t("password.confirm")}
                    name="confirmPassword"
                    type="password"
                    autoComplete="new-password"
                    value={confirm}
                    onChange={setConfirm}
                    error={errorFor("confirmPassword")}
                  />
                  <Text as="p" tone="subdued">
                    {t("password.othersSignedOut")}
                  </Text>
                  <Button submit variant="primary" loading={fetcher.state !== "idle"} disabled={!current || !next || !confirm}>
                    {t("password.submit")}
                  </Button>
                </FormLayout>
              </fetcher.Form>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
