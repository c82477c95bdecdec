import { Banner, BlockStack, Box, Button, Card, FormLayout, Link, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Form, useNavigation } from "react-router";
import { resetAction, resetLoader } from "../.server/http/password-reset-pages.ts";
import { NewPasswordFields, type NewPassword } from "../components/new-password-fields.tsx";
import { errorText, useLocale } from "../components/pool-ui.tsx";
import type { Route } from "./+types/reset-password.$token";

export const loader = (args: Route.LoaderArgs) => resetLoader(args);
export const action = (args: Route.ActionArgs) => resetAction(args);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

// The loader's no-store / no-referrer travel with the document.
export const headers: Route.HeadersFunction = ({ loaderHeaders, actionHeaders }) => {
  const h = new Headers(loaderHeaders);
  for (const [k, v] of actionHeaders) h.set(k, v);
  return h;
};

/** A reset link's page: the new password twice. A link that cannot be used says why. */
export default function ResetPassword({ loaderData, actionData }: Route.ComponentProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigation = useNavigation();
  const [pw, setPw] = useState<NewPassword>({ password: "", confirm: "" });
  const actionError = actionData && !actionData.ok ? actionData.error : undefined;
  const linkError = loaderData.refused ?? (actionError?.field === "token" ? actionError : null);
  const fieldError = (field: string) => (actionError && actionError.field === field ? errorText(t, locale, actionError) : undefined);
  return (
    <Page narrowWidth>
      <Box paddingBlockStart="1600">
        <BlockStack gap="400">
          <Text as="h1" variant="headingXl">
            {t("passwordReset.resetTitle")}
          </Text>
          {linkError ? (
            <Banner tone="critical" title={t("passwordReset.cannotUse")}>
              <BlockStack gap="200">
                <p>{errorText(t, locale, linkError)}</p>
                <p>
                  <Link url="/forgot-password">{t("passwordReset.askAgain")}</Link>
                </p>
              </BlockStack>
            </Banner>
          ) : (
            <>
              <Text as="p" tone="subdued">
                {t("passwordReset.resetBody")}
              </Text>
              {actionError && !actionError.field ? <Banner tone="critical">{errorText(t, locale, actionError)}</Banner> : null}
              <Card>
                <Form method="post">
                  <input type="hidden" name="csrf" value={loaderData.csrf} />
                  <FormLayout>
                    <NewPasswordFields
                      email={loaderData.email ?? ""}
                      emailName="username"
                      emailLabel={t("login.email")}
                      passwordLabel={t("password.new")}
                      passwordHelp={t("password.newHelp", { min: loaderData.minLength })}
                      confirmLabel={t("password.confirm")}
                      value={pw}
                      onChange={setPw}
                      fieldError={fieldError}
                    />
                    <Text as="p" tone="subdued">
                      {t("passwordReset.sessionsEnd")}
                    </Text>
                    <Button submit variant="primary" loading={navigation.state === "submitting"} disabled={!pw.password || !pw.confirm}>
                      {t("passwordReset.submit")}
                    </Button>
                  </FormLayout>
                </Form>
              </Card>
            </>
          )}
        </BlockStack>
      </Box>
    </Page>
  );
}
