import { Banner, BlockStack, Box, Button, Card, FormLayout, InlineStack, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Form, useNavigation } from "react-router";
import type { PageError } from "../../.server/http/pool-pages.ts";
import { LocaleLinks, portalErrorText } from "./portal-ui.tsx";

/** /portal/login: the reseller's own sign-in (never the merchant's admin login). */
export function PortalLoginPage({ data, error }: { data: { csrf: string; signedOut: boolean }; error?: PageError }) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  return (
    <Page narrowWidth>
      <Box paddingBlockStart="1600">
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h1" variant="headingXl">
              {t("portal.login.title")}
            </Text>
            <LocaleLinks />
          </InlineStack>
          <Text as="p" tone="subdued">
            {t("portal.login.intro")}
          </Text>
          {data.signedOut && !error ? <Banner tone="info">{t("login.signedOut")}</Banner> : null}
          {error ? <Banner tone="critical">{portalErrorText(t, error)}</Banner> : null}
          <Card>
            <Form method="post">
              <input type="hidden" name="csrf" value={data.csrf} />
              <FormLayout>
                <TextField label={t("login.email")} name="email" type="email" autoComplete="username" value={email} onChange={setEmail} />
                <TextField label={t("login.password")} name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} />
                <Button submit variant="primary" loading={navigation.state === "submitting"}>
                  {t("login.submit")}
                </Button>
              </FormLayout>
            </Form>
          </Card>
          <Text as="p" tone="subdued" variant="bodySm">
            {t("portal.login.help")}
          </Text>
        </BlockStack>
      </Box>
    </Page>
  );
}
