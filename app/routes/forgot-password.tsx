import { Banner, BlockStack, Box, Button, Card, FormLayout, Link, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Form, useNavigation } from "react-router";
import { forgotAction, forgotLoader } from "../.server/http/password-reset-pages.ts";
import { errorText, useLocale } from "../components/pool-ui.tsx";
import type { Route } from "./+types/forgot-password";

export const loader = (args: Route.LoaderArgs) => forgotLoader(args);
export const action = (args: Route.ActionArgs) => forgotAction(args);

export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Retry-After") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

/** "Forgot password?": one email field; the answer never says whether the email has a login. */
export default function ForgotPassword({ loaderData, actionData }: Route.ComponentProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigation = useNavigation();
  const [email, setEmail] = useState("");
  const error = actionData && !actionData.ok ? actionData.error : undefined;
  return (
    <Page narrowWidth>
      <Box paddingBlockStart="1600">
        <BlockStack gap="400">
          <Text as="h1" variant="headingXl">
            {t("passwordReset.forgotTitle")}
          </Text>
          {actionData?.ok ? (
            <Banner tone="success">{t("passwordReset.sent")}</Banner>
          ) : (
            <>
              <Text as="p" tone="subdued">
                {t("passwordReset.forgotBody")}
              </Text>
              {error ? <Banner tone="critical">{errorText(t, locale, error)}</Banner> : null}
              <Card>
                <Form method="post">
                  <input type="hidden" name="csrf" value={loaderData.csrf} />
                  <FormLayout>
                    <TextField label={t("login.email")} name="email" type="email" autoComplete="username" value={email} onChange={setEmail} />
                    <Button submit variant="primary" loading={navigation.state === "submitting"} disabled={!email}>
                      {t("passwordReset.send")}
                    </Button>
                  </FormLayout>
                </Form>
              </Card>
            </>
          )}
          <Link url="/login">{t("passwordReset.backToLogin")}</Link>
        </BlockStack>
      </Box>
    </Page>
  );
}
