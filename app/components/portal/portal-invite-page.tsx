import { Banner, BlockStack, Box, Button, Card, FormLayout, InlineStack, Link, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Form, useNavigation } from "react-router";
import type { PageError } from "../../.server/http/pool-pages.ts";
import { formatDateTime } from "../../i18n/i18n.ts";
import { NewPasswordFields, type NewPassword } from "../new-password-fields.tsx";
import { useLocale } from "../pool-ui.tsx";
import { LocaleLinks, portalErrorText } from "./portal-ui.tsx";

type InviteData = { ok: true; csrf: string; email: string; resellerName: string; accountName: string; expiresAt: string } | { ok: false; error: PageError };

/** /portal/invite/:token: set a password for the invited email (the admin's password rules), then signed in. */
export function PortalInvitePage({ data, actionError }: { data: InviteData; actionError?: PageError }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigation = useNavigation();
  const [pw, setPw] = useState<NewPassword>({ password: "", confirm: "" });
  const fieldError = (field: string) => (actionError && actionError.field === field ? portalErrorText(t, actionError) : undefined);
  const linkError = !data.ok ? data.error : actionError && actionError.field === "token" ? actionError : null;
  return (
    <Page narrowWidth>
      <Box paddingBlockStart="1600">
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h1" variant="headingXl">
              {t("portal.invite.title")}
            </Text>
            <LocaleLinks />
          </InlineStack>
          {linkError ? (
            <Banner tone="critical" title={t("invitation.cannotUse")}>
              <BlockStack gap="200">
                <p>{portalErrorText(t, linkError)}</p>
                {linkError.code === "invitation_used" || linkError.code === "portal_email_taken" ? (
                  <p>
                    <Link url="/portal/login">{t("invitation.signIn")}</Link>
                  </p>
                ) : (
                  <p>{t("portal.invite.askAgain")}</p>
                )}
              </BlockStack>
            </Banner>
          ) : data.ok ? (
            <>
              <Text as="p">{t("portal.invite.intro", { reseller: data.resellerName, merchant: data.accountName })}</Text>
              {actionError && !actionError.field ? <Banner tone="critical">{portalErrorText(t, actionError)}</Banner> : null}
              <Card>
                <Form method="post">
                  <input type="hidden" name="csrf" value={data.csrf} />
                  <input type="hidden" name="locale" value={locale} />
                  <FormLayout>
                    <NewPasswordFields
                      email={data.email}
                      emailName="email"
                      emailLabel={t("login.email")}
                      passwordLabel={t("invitation.password")}
                      passwordHelp={t("invitation.passwordHelp")}
                      confirmLabel={t("invitation.confirm")}
                      value={pw}
                      onChange={setPw}
                      fieldError={fieldError}
                    />
                    <Button submit variant="primary" loading={navigation.state === "submitting"}>
                      {t("portal.invite.accept")}
                    </Button>
                  </FormLayout>
                </Form>
              </Card>
              <Text as="p" tone="subdued" variant="bodySm">
                {t("invitation.expires", { when: formatDateTime(locale, data.expiresAt) })}
              </Text>
            </>
          ) : null}
        </BlockStack>
      </Box>
    </Page>
  );
}
