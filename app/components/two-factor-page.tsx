import { Banner, BlockStack, Box, Button, Card, FormLayout, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import type { TwoFactorActionData, twoFactorLoader } from "../.server/http/two-factor-pages.ts";
import { errorText, useLocale } from "./pool-ui.tsx";

export type TwoFactorData = Awaited<ReturnType<typeof twoFactorLoader>>["data"];

/** Shown once: the codes are in the action's answer only, never in the page's data. */
function RecoveryCodes({ codes }: { codes: string[] }) {
  const { t } = useTranslation();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("twoFactor.recoveryTitle")}
        </Text>
        <Banner tone="warning">{t("twoFactor.recoveryOnce")}</Banner>
        <Box padding="300" background="bg-surface-secondary" borderRadius="200">
          <pre data-testid="recovery-codes" style={{ margin: 0, fontSize: "15px", lineHeight: 1.7 }}>
            {codes.join("\n")}
          </pre>
        </Box>
      </BlockStack>
    </Card>
  );
}

/** A form posted with the fetcher; its error shows beside its code field. */
function useAction() {
  const fetcher = useFetcher<TwoFactorActionData>();
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  return { fetcher, result, busy: fetcher.state !== "idle" };
}

export function TwoFactorPage({ data }: { data: TwoFactorData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const start = useAction();
  const confirm = useAction();
  const regenerate = useAction();
  const disable = useAction();
  const owners = useAction();
  const [code, setCode] = useState("");
  const [confirmPassword, setConfirmPassword] = useState("");
  const [regenCode, setRegenCode] = useState("");
  const [offPassword, setOffPassword] = useState("");
  const [offCode, setOffCode] = useState("");
  const shown = confirm.result?.ok && "recoveryCodes" in confirm.result ? confirm.result.recoveryCodes : regenerate.result?.ok && "recoveryCodes" in regenerate.result ? regenerate.result.recoveryCodes : null;
  const err = (r: TwoFactorActionData | undefined) => (r && !r.ok ? errorText(t, locale, r.error) : undefined);

  useEffect(() => {
    if (regenerate.result?.ok) setRegenCode("");
    if (disable.result?.ok) {
      setOffPassword("");
      setOffCode("");
    }
  }, [regenerate.result, disable.result]);

  const ownersCard = data.isOwner ? (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("twoFactor.ownersTitle")}
        </Text>
        <Text as="p">{data.requiredForOwners ? t("twoFactor.ownersOn") : t("twoFactor.ownersOff")}</Text>
        {err(owners.result) ? <Banner tone="critical">{err(owners.result)}</Banner> : null}
        <owners.fetcher.Form method="post">
          <input type="hidden" name="csrf" value={data.csrf} />
          <input type="hidden" name="intent" value="requireOwners" />
          <input type="hidden" name="requireOwners" value={data.requiredForOwners ? "off" : "on"} />
          <Button submit loading={owners.busy}>
            {data.requiredForOwners ? t("twoFactor.ownersTurnOff") : t("twoFactor.ownersTurnOn")}
          </Button>
        </owners.fetcher.Form>
      </BlockStack>
    </Card>
  ) : null;

  return (
    <Page narrowWidth title={t("twoFactor.title")} subtitle={t("twoFactor.subtitle", { email: data.email })}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {data.mustEnrol ? <Banner tone="warning">{t("twoFactor.mustEnrol")}</Banner> : null}
            {shown ? <RecoveryCodes codes={shown} /> : null}
            {data.enabled ? (
              <>
                <Card>
                  <BlockStack gap="200">
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h2" variant="headingMd">
                        {t("twoFactor.onTitle")}
                      </Text>
                    </InlineStack>
                    <Text as="p">{t("twoFactor.onBody", { count: data.recoveryCodesLeft })}</Text>
                  </BlockStack>
                </Card>
                <Card>
                  <regenerate.fetcher.Form method="post" autoComplete="off">
                    <input type="hidden" name="csrf" value={data.csrf} />
                    <input type="hidden" name="intent" value="regenerate" />
                    <FormLayout>
                      <Text as="h2" variant="headingMd">
                        {t("twoFactor.regenerateTitle")}
                      </Text>
                      <Text as="p" tone="subdued">
                        {t("twoFactor.regenerateBody")}
                      </Text>
                      <TextField label={t("twoFactor.code")} name="code" inputMode="numeric" autoComplete="one-time-code" value={regenCode} onChange={setRegenCode} error={err(regenerate.result)} />
                      <Button submit loading={regenerate.busy} disabled={!regenCode}>
                        {t("twoFactor.regenerate")}
                      </Button>
                    </FormLayout>
                  </regenerate.fetcher.Form>
                </Card>
                <Card>
                  <disable.fetcher.Form method="post" autoComplete="off">
                    <input type="hidden" name="csrf" value={data.csrf} />
                    <input type="hidden" name="intent" value="disable" />
                    <input type="hidden" name="username" autoComplete="username" value={data.email} />
                    <FormLayout>
                      <Text as="h2" variant="headingMd">
                        {t("twoFactor.disableTitle")}
                      </Text>
                      {data.isOwner && data.requiredForOwners ? (
                        <Text as="p" tone="subdued">
                          {t("errors.two_factor_required_for_owners")}
                        </Text>
                      ) : (
                        <>
                          {disable.result && !disable.result.ok && disable.result.error.field !== "password" && disable.result.error.field !== "code" ? (
                            <Banner tone="critical">{err(disable.result)}</Banner>
                          ) : null}
                          <TextField
                            label={t("password.current")}
                            name="password"
                            type="password"
                            autoComplete="current-password"
                            value={offPassword}
                            onChange={setOffPassword}
                            error={disable.result && !disable.result.ok && disable.result.error.field === "password" ? err(disable.result) : undefined}
                          />
                          <TextField
                            label={t("twoFactor.codeOrRecovery")}
                            name="code"
                            autoComplete="one-time-code"
                            value={offCode}
                            onChange={setOffCode}
                            error={disable.result && !disable.result.ok && disable.result.error.field === "code" ? err(disable.result) : undefined}
                          />
                          <Button submit tone="critical" loading={disable.busy} disabled={!offPassword || !offCode}>
                            {t("twoFactor.disable")}
                          </Button>
                        </>
                      )}
                    </FormLayout>
                  </disable.fetcher.Form>
                </Card>
              </>
            ) : data.pending && data.qrSvg ? (
              <Card>
                <confirm.fetcher.Form method="post" autoComplete="off">
                  <input type="hidden" name="csrf" value={data.csrf} />
                  <input type="hidden" name="intent" value="confirm" />
                  <FormLayout>
                    <Text as="h2" variant="headingMd">
                      {t("twoFactor.scanTitle")}
                    </Text>
                    <Text as="p">{t("twoFactor.scanBody")}</Text>
                    {/* Drawn on the server by the qrcode package: markup of rectangles, no script. */}
                    <div role="img" aria-label={t("twoFactor.qrLabel")} style={{ width: 200, height: 200 }} dangerouslySetInnerHTML={{ __html: data.qrSvg }} />
                    <BlockStack gap="100">
                      <Text as="p" tone="subdued">
                        {t("twoFactor.secretLabel")}
                      </Text>
                      <Text as="p" variant="headingSm" breakWord>
                        <span data-testid="totp-secret" style={{ fontFamily: "monospace", letterSpacing: "0.1em" }}>
                          {data.pending.secret}
                        </span>
                      </Text>
                    </BlockStack>
                    <TextField
                      label={t("twoFactor.code")}
                      name="code"
                      inputMode="numeric"
                      autoComplete="one-time-code"
                      helpText={t("twoFactor.codeHelp")}
                      value={code}
                      onChange={setCode}
                      error={confirm.result && !confirm.result.ok && confirm.result.error.field !== "password" ? err(confirm.result) : undefined}
                    />
                    <TextField
                      label={t("password.current")}
                      name="password"
                      type="password"
                      autoComplete="current-password"
                      helpText={t("twoFactor.confirmPasswordHelp")}
                      value={confirmPassword}
                      onChange={setConfirmPassword}
                      error={confirm.result && !confirm.result.ok && confirm.result.error.field === "password" ? err(confirm.result) : undefined}
                    />
                    <Button submit variant="primary" loading={confirm.busy} disabled={!code || !confirmPassword}>
                      {t("twoFactor.confirm")}
                    </Button>
                  </FormLayout>
                </confirm.fetcher.Form>
              </Card>
            ) : (
              <Card>
                <start.fetcher.Form method="post">
                  <input type="hidden" name="csrf" value={data.csrf} />
                  <input type="hidden" name="intent" value="start" />
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">
                      {t("twoFactor.offTitle")}
                    </Text>
                    <Text as="p">{t("twoFactor.offBody")}</Text>
                    {err(start.result) ? <Banner tone="critical">{err(start.result)}</Banner> : null}
                    <InlineStack>
                      <Button submit variant="primary" loading={start.busy}>
                        {t("twoFactor.start")}
                      </Button>
                    </InlineStack>
                  </BlockStack>
                </start.fetcher.Form>
              </Card>
            )}
            {ownersCard}
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
