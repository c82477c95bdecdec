import { Banner, BlockStack, Button, FormLayout, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import type { ResellerInviteActionData } from "../.server/http/reseller-invite-action.ts";
import { useLocale } from "./pool-ui.tsx";
import { portalErrorText } from "./portal/portal-ui.tsx";

/**
 * The merchant's "invite to the reseller portal" form, for a page whose action hands
 * `intent=portal-invite` to resellerInviteAction (http/reseller-invite-action.ts). `action` is that
 * page's URL when the form is not on it.
 */
export function ResellerInviteForm({ csrf, resellerId, action }: { csrf: string; resellerId: string; action?: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<ResellerInviteActionData>();
  const [email, setEmail] = useState("");
  const answer = fetcher.data;
  return (
    <fetcher.Form method="post" action={action}>
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="intent" value="portal-invite" />
      <input type="hidden" name="resellerId" value={resellerId} />
      <input type="hidden" name="locale" value={locale} />
      <BlockStack gap="300">
        {answer?.ok ? <Banner tone={answer.sent ? "success" : "warning"}>{t(answer.sent ? "portal.merchant.invited" : "portal.merchant.notSent", { email: answer.email })}</Banner> : null}
        <FormLayout>
          <TextField
            label={t("portal.merchant.email")}
            name="email"
            type="email"
            autoComplete="off"
            helpText={t("portal.merchant.help")}
            value={email}
            onChange={setEmail}
            error={answer && !answer.ok ? portalErrorText(t, answer.error) : undefined}
          />
          <Button submit loading={fetcher.state !== "idle"}>
            {t("portal.merchant.invite")}
          </Button>
        </FormLayout>
      </BlockStack>
    </fetcher.Form>
  );
}
