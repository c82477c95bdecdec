import { Banner, BlockStack, Box, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { data, Form, Link, redirect, useNavigation } from "react-router";
import {
  adminSessionStorage,
  ensureLoginCsrf,
  getSession,
  readAuthForm,
  safeNext,
  signedInAdmin,
  verifyCsrf,
} from "../.server/auth/admin-session.ts";
import { readDeviceToken } from "../.server/auth/known-device.ts";
import { completeTwoFactorLogin, SignInAgainError } from "../.server/use-cases/complete-two-factor-login.ts";
import { signedInRedirect, signInRefusal } from "../.server/http/sign-in-answers.ts";
import type { Route } from "./+types/login.two-factor";

/** The second step of a sign-in: the code from the authenticator app, or a recovery code. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const s = context.services;
  const url = new URL(request.url);
  if (await signedInAdmin(s, request)) return redirect(safeNext(url.searchParams.get("next")));
  const session = await getSession(s, request);
  if (!session.get("twoFactor")) return redirect("/login");
  const csrf = ensureLoginCsrf(session);
  return data({ csrf }, { headers: { "Set-Cookie": await adminSessionStorage(s).commitSession(session), "Cache-Control": "no-store" } });
}

export async function action({ request, context }: Route.ActionArgs) {
  const s = context.services;
  const session = await getSession(s, request);
  const next = safeNext(new URL(request.url).searchParams.get("next"));
  try {
    const form = await readAuthForm(request);
    verifyCsrf(session.get("loginCsrf"), form.get("csrf"));
    const result = await completeTwoFactorLogin(s, {
      challengeId: session.get("twoFactor"),
      code: form.get("code") ?? "",
      ip: context.clientIp,
      deviceToken: await readDeviceToken(s, request),
    });
    // Only now a session: a new record and a new cookie, nothing of the pending step in it.
    return signedInRedirect(s, request, context.clientIp, result, next);
  } catch (e) {
    if (e instanceof SignInAgainError) {
      // Back to the password: the pending step is over.
      session.unset("twoFactor");
      return redirect(`/login?notice=${e.code}`, { headers: { "Set-Cookie": await adminSessionStorage(s).commitSession(session) } });
    }
    return signInRefusal(e);
  }
}

export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Retry-After") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function LoginTwoFactor({ loaderData, actionData }: Route.ComponentProps) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const [code, setCode] = useState("");
  const error = actionData && "error" in actionData ? actionData.error : undefined;
  return (
    <Page narrowWidth>
      <Box paddingBlockStart="1600">
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h1" variant="headingXl">
              {t("loginTwoFactor.title")}
            </Text>
            <Text as="p" tone="subdued">
              {t("loginTwoFactor.body")}
            </Text>
          </BlockStack>
          {error ? <Banner tone="critical">{t(`errors.${error.code}`, error.params)}</Banner> : null}
          <Card>
            <Form method="post" autoComplete="off">
              <input type="hidden" name="csrf" value={loaderData.csrf} />
              <FormLayout>
                <TextField
                  label={t("loginTwoFactor.code")}
                  name="code"
                  autoComplete="one-time-code"
                  helpText={t("loginTwoFactor.recoveryHelp")}
                  value={code}
                  onChange={setCode}
                  autoFocus
                />
                <Button submit variant="primary" loading={navigation.state === "submitting"} disabled={!code}>
                  {t("loginTwoFactor.submit")}
                </Button>
              </FormLayout>
            </Form>
          </Card>
          <Link to="/login">{t("loginTwoFactor.back")}</Link>
        </BlockStack>
      </Box>
    </Page>
  );
}
