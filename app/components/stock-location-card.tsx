import { Banner, BlockStack, Button, Card, InlineStack, Select, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import type { StockLocationActionData, StockLocationSection } from "../.server/http/stock-location-section.ts";
import { errorText, useLocale } from "./pool-ui.tsx";

function optionKey(primary: boolean, inUse: boolean): string {
  if (primary && inUse) return "stockLocation.optionPrimaryInUse";
  if (primary) return "stockLocation.optionPrimary";
  return inUse ? "stockLocation.optionInUse" : "stockLocation.option";
}

/** A Shopify store's stock location: the shop's active locations, the one in use marked, Save (for a role that may change it). */
export function StockLocationCard({ section, csrf, canChange = true }: { section: StockLocationSection; csrf: string; canChange?: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<StockLocationActionData>();
  const { locations, inUse, primary, missing, error: loadError } = section;
  const initial = inUse ?? primary ?? "";
  const [value, setValue] = useState(initial);
  // After a save the page reloads with a new location in use: the select follows it.
  useEffect(() => setValue(initial), [initial]);
  const result = fetcher.data;
  const error = result && !result.ok ? result.error : null;
  const saved = result?.ok ? locations.find((l) => l.id === result.locationId) : undefined;
  const nameOf = (id: string) => locations.find((l) => l.id === id)?.name ?? id;

  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {t("stockLocation.title")}
          </Text>
          <Text as="p" tone="subdued">
            {t("stockLocation.intro")}
          </Text>
        </BlockStack>
        {loadError ? (
          <Banner tone="critical" title={t("stockLocation.loadErrorTitle")}>
            <p>{t([`errors.${loadError.code}`, "stockLocation.loadError"], loadError.params)}</p>
          </Banner>
        ) : locations.length === 0 ? (
          <Text as="p" tone="subdued">
            {t("stockLocation.none")}
          </Text>
        ) : (
          <>
            {missing ? <Banner tone="warning">{t("stockLocation.missing", { id: missing })}</Banner> : null}
            {saved && fetcher.state === "idle" ? <Banner tone="success">{t("stockLocation.saved", { name: saved.name })}</Banner> : null}
            {error && error.field !== "locationId" ? <Banner tone="critical">{errorText(t, locale, error)}</Banner> : null}
            <Select
              label={t("stockLocation.label")}
              options={locations.map((l) => ({ label: t(optionKey(l.primary, l.id === inUse), { name: l.name }), value: l.id }))}
              value={value}
              onChange={setValue}
              disabled={!canChange}
              helpText={t("stockLocation.help")}
              error={error?.field === "locationId" ? errorText(t, locale, error) : undefined}
            />
            {canChange ? (
              <InlineStack>
                <Button
                  variant="primary"
                  loading={fetcher.state !== "idle"}
                  disabled={!value || value === inUse}
                  onClick={() => fetcher.submit({ intent: "location", locationId: value, csrf }, { method: "post" })}
                >
                  {t("stockLocation.save")}
                </Button>
              </InlineStack>
            ) : null}
            {inUse ? (
              <Text as="p" variant="bodySm" tone="subdued">
                {t("stockLocation.current", { name: nameOf(inUse) })}
              </Text>
            ) : null}
          </>
        )}
      </BlockStack>
    </Card>
  );
}
