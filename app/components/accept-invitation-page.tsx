import { Banner, BlockStack, Box, Button, Card, FormLayout, Link, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Form, useNavigation } from "react-router";
import { formatDateTime } from "../i18n/i18n.ts";
import type { InvitationLoaderData } from "../.server/http/invitation-page.ts";
import type { PageError } from "../.server/http/pool-pages.ts";
import { NewPasswordFields, type NewPassword } from "./new-password-fields.tsx";
import { errorText, useLocale } from "./pool-ui.tsx";

/**
 * The invitation link's page: who is invited to which account with which role, and the password
 * form that creates the login. A link that cannot be used says why and what to do.
 */
export function AcceptInvitationPage({ data, actionError }: { data: InvitationLoaderData; actionError?: PageError }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigation = useNavigation();
  const [pw, setPw] = useState<NewPassword>({ password: "", confirm: "" });
  const fieldError = (field: string) => (actionError && actionError.field === field ? errorText(t, locale, actionError) : undefined);
  // A refusal of the link itself (used, expired, revoked, another account) replaces the form.
  const linkError = !data.ok ? data.error : actionError && actionError.field === "token" ? actionError : null;
  return (
    <Page narrowWidth>
      <Box paddingBlockStart="1600">
        <BlockStack gap="400">
          <Text as="h1" variant="headingXl">
            {t("invitation.title")}
          </Text>
          {linkError ? (
            <Banner tone="critical" title={t("invitation.cannotUse")}>
              <BlockStack gap="200">
                <p>{errorText(t, locale, linkError)}</p>
                {/* An accepted link means the login exists: sign in. Anything else needs a new invitation. */}
                {linkError.code === "invitation_used" || linkError.code === "invitation_email_taken" ? (
                  <p>
                    <Link url="/login">{t("invitation.signIn")}</Link>
                  </p>
                ) : linkError.code === "invitation_other_account" ? null : (
                  <p>{t("invitation.askAgain")}</p>
                )}
              </BlockStack>
            </Banner>
          ) : data.ok ? (
            <>
              <Text as="p">{t("invitation.intro", { account: data.accountName, role: t(`team.roles.${data.role}`) })}</Text>
              <Text as="p" tone="subdued">
                {t(`team.roleHelp.${data.role}`)}
              </Text>
              {actionError && !actionError.field ? <Banner tone="critical">{errorText(t, locale, actionError)}</Banner> : null}
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
                      {t("invitation.accept")}
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
