import { Banner, BlockStack, Box, Button, Checkbox, ChoiceList, FormLayout, InlineStack, Page, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Form, useNavigation } from "react-router";
import type { PageError, PoolFormValues } from "../.server/http/pool-pages.ts";
import { FormSection } from "./form-section.tsx";
import { errorText, useLocale } from "./pool-ui.tsx";

export interface PoolFormData {
  base: string;
  csrf: string;
  values: PoolFormValues;
  /** Set when editing. */
  poolId?: string;
  poolName?: string;
}

/** Creating and editing a pool: every PoolInput field, each error shown beside its field. */
export function PoolFormPage({ data, error }: { data: PoolFormData; error?: PageError }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigation = useNavigation();
  const [v, setV] = useState<PoolFormValues>(data.values);
  const set = <K extends keyof PoolFormValues>(k: K) => (value: PoolFormValues[K]) => setV((old) => ({ ...old, [k]: value }));
  const editing = Boolean(data.poolId);
  const back = editing ? `${data.base}/pools/${data.poolId}` : `${data.base}/pools`;
  const message = error ? errorText(t, locale, error) : undefined;
  // A field error shows beside its field; anything else (an expired form, …) above the form.
  const fieldOf = (f: keyof PoolFormValues) => (error?.field === f ? message : undefined);
  const knownField = error?.field !== undefined && error.field in v;

  return (
    <Page
      title={editing ? t("pools.form.editTitle", { name: data.poolName }) : t("pools.form.createTitle")}
      backAction={{ content: editing ? (data.poolName ?? "") : t("pools.list.title"), url: back }}
      narrowWidth
    >
      <Form method="post">
        <input type="hidden" name="csrf" value={data.csrf} />
        <BlockStack gap="400">
          {error && !knownField ? <Banner tone="critical">{message}</Banner> : null}
          <FormSection title={t("pools.form.sections.basics")}>
            <TextField label={t("pools.form.name")} name="name" value={v.name} onChange={set("name")} autoComplete="off" error={fieldOf("name")} requiredIndicator />
            <TextField label={t("pools.form.sku")} name="sku" value={v.sku} onChange={set("sku")} autoComplete="off" helpText={t("pools.form.skuHelp")} error={fieldOf("sku")} />
            <TextField label={t("pools.form.notes")} name="notes" value={v.notes} onChange={set("notes")} autoComplete="off" multiline={2} helpText={t("pools.form.notesHelp")} error={fieldOf("notes")} />
          </FormSection>
          <FormSection title={t("pools.form.sections.stock")}>
            <TextField
              label={t("pools.form.lowStock")}
              name="lowStockThreshold"
              type="number"
              min={0}
              value={v.lowStockThreshold}
              onChange={set("lowStockThreshold")}
              autoComplete="off"
              helpText={t("pools.form.lowStockHelp")}
              error={fieldOf("lowStockThreshold")}
            />
            <FormLayout.Group>
              <TextField
                label={t("pools.form.defaultCost")}
                name="defaultCost"
                inputMode="decimal"
                value={v.defaultCost}
                onChange={set("defaultCost")}
                autoComplete="off"
                placeholder={t("pools.form.costPlaceholder")}
                helpText={t("pools.form.defaultCostHelp")}
                error={fieldOf("defaultCost")}
              />
              <TextField
                label={t("pools.form.currency")}
                name="currency"
                value={v.currency}
                onChange={(c) => set("currency")(c.toUpperCase())}
                autoComplete="off"
                maxLength={3}
                placeholder={t("pools.form.currencyPlaceholder")}
                helpText={fieldOf("currency") ? undefined : t("pools.form.currencyHelp")}
                error={fieldOf("currency")}
              />
            </FormLayout.Group>
          </FormSection>
          <FormSection title={t("pools.form.sections.format")}>
            <TextField
              label={t("pools.form.formatRegex")}
              name="formatRegex"
              value={v.formatRegex}
              onChange={set("formatRegex")}
              autoComplete="off"
              monospaced
              placeholder={t("pools.form.formatRegexPlaceholder")}
              helpText={t("pools.form.formatRegexHelp")}
              error={fieldOf("formatRegex")}
            />
            <Checkbox
              label={t("pools.form.caseInsensitive")}
              name="caseInsensitive" value="on"
              checked={v.caseInsensitive}
              onChange={set("caseInsensitive")}
              helpText={t("pools.form.caseInsensitiveHelp")}
            />
          </FormSection>
          <FormSection title={t("pools.form.sections.delivery")}>
            <ChoiceList
              title={t("pools.form.refundPolicy")}
              name="refundPolicy"
              choices={[
                { label: t("pools.form.refund.revoke"), value: "revoke", helpText: t("pools.form.refund.revokeHelp") },
                { label: t("pools.form.refund.returnIfUnseen"), value: "return_if_unseen", helpText: t("pools.form.refund.returnIfUnseenHelp") },
              ]}
              selected={[v.refundPolicy]}
              onChange={(sel) => set("refundPolicy")(sel[0] === "return_if_unseen" ? "return_if_unseen" : "revoke")}
              error={fieldOf("refundPolicy")}
            />
            <Checkbox
              label={t("pools.form.revealOnClick")}
              name="revealOnClick" value="on"
              checked={v.revealOnClick}
              onChange={set("revealOnClick")}
              helpText={t("pools.form.revealOnClickHelp")}
            />
            <TextField
              label={t("pools.form.deliveryTemplate")}
              name="deliveryTemplate"
              value={v.deliveryTemplate}
              onChange={set("deliveryTemplate")}
              autoComplete="off"
              multiline={4}
              helpText={t("pools.form.deliveryTemplateHelp")}
              error={fieldOf("deliveryTemplate")}
            />
          </FormSection>
          <InlineStack align="end" gap="200">
            <Button url={back}>{t("pools.form.cancel")}</Button>
            <Button submit variant="primary" loading={navigation.state === "submitting"}>
              {editing ? t("pools.form.save") : t("pools.form.create")}
            </Button>
          </InlineStack>
          <Box paddingBlockEnd="800" />
        </BlockStack>
      </Form>
    </Page>
  );
}
