import { Banner, BlockStack, Box, Button, Card, FormLayout, InlineStack, Page, Text, TextField } from "@shopify/polaris";
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
import { logInAdmin } from "../.server/use-cases/log-in-admin.ts";
import { signedInRedirect, signInRefusal } from "../.server/http/sign-in-answers.ts";
import type { Route } from "./+types/login";

export async function loader({ request, context }: Route.LoaderArgs) {
  const s = context.services;
  const session = await getSession(s, request);
  const url = new URL(request.url);
  if (await signedInAdmin(s, request)) return redirect(safeNext(url.searchParams.get("next")));
  // A session that ended or expired is forgotten here, so it cannot bounce between /login and /admin.
  session.unset("sid");
  const csrf = ensureLoginCsrf(session);
  return data(
    { csrf, signedOut: url.searchParams.has("signedOut"), notice: loginNotice(url.searchParams) },
    { headers: { "Set-Cookie": await adminSessionStorage(s).commitSession(session) } },
  );
}

/** A message the login page opens with: a finished password reset, or a second step that has to start again. */
function loginNotice(q: URLSearchParams): "passwordReset" | "two_factor_expired" | "two_factor_too_many" | null {
  const n = q.get("notice");
  return n === "passwordReset" || n === "two_factor_expired" || n === "two_factor_too_many" ? n : null;
}

export async function action({ request, context }: Route.ActionArgs) {
  const s = context.services;
  const session = await getSession(s, request);
  const next = safeNext(new URL(request.url).searchParams.get("next"));
  try {
    // Bounded before it is parsed: a login form is a few short fields.
    const form = await readAuthForm(request);
    verifyCsrf(session.get("loginCsrf"), form.get("csrf"));
    const result = await logInAdmin(s, {
      email: form.get("email") ?? "",
      password: form.get("password") ?? "",
      ip: context.clientIp,
      deviceToken: await readDeviceToken(s, request),
    });
    if (result.twoFactorChallenge) {
      // Not signed in yet: the code form finishes it (/login/two-factor); the cookie holds only the pending step's id.
      session.set("twoFactor", result.twoFactorChallenge);
      const to = `/login/two-factor${next === "/admin" ? "" : `?next=${encodeURIComponent(next)}`}`;
      return redirect(to, { headers: { "Set-Cookie": await adminSessionStorage(s).commitSession(session) } });
    }
    return signedInRedirect(s, request, context.clientIp, result, next);
  } catch (e) {
    return signInRefusal(e);
  }
}

// Document POSTs take their headers (Retry-After on 429) from here.
export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Retry-After") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function Login({ loaderData, actionData }: Route.ComponentProps) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const error = actionData && "error" in actionData ? actionData.error : undefined;
  return (
    <Page narrowWidth>
      <Box paddingBlockStart="1600">
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h1" variant="headingXl">
              {t("login.title")}
            </Text>
            <Text as="p" tone="subdued">
              {t("app.tagline")}
            </Text>
          </BlockStack>
          {loaderData.signedOut && !error ? <Banner tone="info">{t("login.signedOut")}</Banner> : null}
          {loaderData.notice === "passwordReset" && !error ? <Banner tone="success">{t("passwordReset.done")}</Banner> : null}
          {loaderData.notice && loaderData.notice !== "passwordReset" && !error ? <Banner tone="warning">{t(`errors.${loaderData.notice}`)}</Banner> : null}
          {error ? <Banner tone="critical">{t(`errors.${error.code}`, error.params)}</Banner> : null}
          <Card>
            <Form method="post">
              <input type="hidden" name="csrf" value={loaderData.csrf} />
              <FormLayout>
                <TextField label={t("login.email")} name="email" type="email" autoComplete="username" value={email} onChange={setEmail} />
                <TextField
                  label={t("login.password")}
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  value={password}
                  onChange={setPassword}
                />
                <InlineStack gap="400" blockAlign="center">
                  <Button submit variant="primary" loading={navigation.state === "submitting"}>
                    {t("login.submit")}
                  </Button>
                  <Link to="/forgot-password">{t("login.forgot")}</Link>
                </InlineStack>
              </FormLayout>
            </Form>
          </Card>
          <Text as="p" tone="subdued" variant="bodySm">
            {t("login.firstAdminHelp")}
          </Text>
        </BlockStack>
      </Box>
    </Page>
  );
}
