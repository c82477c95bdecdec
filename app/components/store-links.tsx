import { Banner, BlockStack, Button, Card, ChoiceList, InlineStack, Modal, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import { formatDateTime } from "../i18n/i18n.ts";
import type { StoresActionData } from "../.server/http/store-pages.ts";
import type { StoreSummary } from "../.server/use-cases/list-stores.ts";
import { Code, errorText, useLocale } from "./pool-ui.tsx";

/**
 * Linked stores on the stores page: make a one-time code for another store to join this account,
 * or enter a code made elsewhere to move a store of this account there. Embedded, the store that
 * moves is the shop itself; standalone, the merchant picks one.
 */
export function StoreLinksCard({ stores, currentStoreId, csrf }: { stores: StoreSummary[]; currentStoreId: string | null; csrf: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const make = useFetcher<StoresActionData>();
  const redeem = useFetcher<StoresActionData>();
  const [code, setCode] = useState("");
  const [storeId, setStoreId] = useState(currentStoreId ?? stores[0]?.id ?? "");
  const made = make.data?.ok && make.data.intent === "link-code" ? make.data : null;
  const linked = redeem.data?.ok && redeem.data.intent === "link" ? redeem.data.linked : null;
  const error = redeem.data && !redeem.data.ok ? redeem.data.error : null;
  const makeError = make.data && !make.data.ok ? make.data.error : null;
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {t("stores.links.title")}
          </Text>
          <Text as="p" tone="subdued">
            {t("stores.links.intro")}
          </Text>
        </BlockStack>
        {makeError ? <Banner tone="critical">{errorText(t, locale, makeError)}</Banner> : null}
        {made ? (
          <Banner tone="info" title={t("stores.links.codeTitle")}>
            <BlockStack gap="200">
              <span data-testid="link-code">
                <Code size="large">{made.code}</Code>
              </span>
              <p>{t("stores.links.codeHelp", { time: formatDateTime(locale, made.expiresAt) })}</p>
            </BlockStack>
          </Banner>
        ) : null}
        <InlineStack>
          <Button loading={make.state !== "idle"} onClick={() => make.submit({ intent: "link-code", csrf }, { method: "post" })}>
            {t("stores.links.makeCode")}
          </Button>
        </InlineStack>
        {linked ? (
          // Outside the form: standalone, the store that left may have been the account's last.
          <Banner tone="success" title={t("stores.links.linked", { name: linked.storeName, account: linked.accountName })}>
            <p>{t("stores.links.linkedBody", { orders: linked.orders })}</p>
            {currentStoreId ? null : <p>{t("stores.links.linkedAway")}</p>}
          </Banner>
        ) : null}
        {stores.length > 0 ? (
          <redeem.Form method="post" autoComplete="off">
            <input type="hidden" name="intent" value="link" />
            <input type="hidden" name="csrf" value={csrf} />
            <BlockStack gap="300">
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm">
                  {t("stores.links.redeemTitle")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("stores.links.redeemIntro")}
                </Text>
              </BlockStack>
              {currentStoreId ? (
                <input type="hidden" name="storeId" value={currentStoreId} />
              ) : (
                <Select label={t("stores.links.store")} name="storeId" options={stores.map((st) => ({ label: st.name, value: st.id }))} value={storeId} onChange={setStoreId} />
              )}
              <TextField
                label={t("stores.links.code")}
                name="code"
                value={code}
                onChange={setCode}
                autoComplete="off"
                monospaced
                placeholder={t("stores.links.codePlaceholder")}
                error={error ? errorText(t, locale, error) : undefined}
              />
              <InlineStack>
                <Button submit variant="primary" loading={redeem.state !== "idle"} disabled={code.trim() === ""}>
                  {t("stores.links.redeem")}
                </Button>
              </InlineStack>
            </BlockStack>
          </redeem.Form>
        ) : null}
      </BlockStack>
    </Card>
  );
}

const SPLIT_FETCHER = "store-split";

/** What the last split-off did, above the list (the split store's own card has left it). */
export function SplitOutcome() {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<StoresActionData>({ key: SPLIT_FETCHER });
  const d = fetcher.data;
  if (!d) return null;
  if (!d.ok) return <Banner tone="critical">{errorText(t, locale, d.error)}</Banner>;
  if (d.intent !== "split") return null;
  return (
    <Banner tone="success" title={t("stores.links.splitDone", { name: d.split.storeName })}>
      {d.split.stockZeroFailed > 0 ? <p>{t("stores.links.splitStockFailed", { count: d.split.stockZeroFailed })}</p> : null}
    </Banner>
  );
}

/**
 * "Unlink…" on a store of an account with several: a dialog with the two choices, keep (nothing
 * changes) or split off (what moves and what is removed, said before it happens).
 */
export function UnlinkStore({ store, csrf }: { store: StoreSummary; csrf: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  // Keyed: the store's card is gone once it split off; the page shows the outcome (SplitOutcome).
  const fetcher = useFetcher<StoresActionData>({ key: SPLIT_FETCHER });
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<"keep" | "split">("keep");
  const close = () => {
    setOpen(false);
    setChoice("keep");
  };
  return (
    <>
      <Button
        variant="plain"
        tone="critical"
        onClick={() => setOpen(true)}
        accessibilityLabel={t("stores.links.unlinkTitle", { name: store.name })}
      >
        {t("stores.links.unlink")}
      </Button>
      <Modal
        open={open}
        onClose={close}
        title={t("stores.links.unlinkTitle", { name: store.name })}
        primaryAction={{
          content: choice === "split" ? t("stores.links.split") : t("stores.links.keep"),
          destructive: choice === "split",
          loading: fetcher.state !== "idle",
          onAction: () => {
            if (choice === "split") fetcher.submit({ intent: "split", storeId: store.id, csrf }, { method: "post" });
            close();
          },
        }}
      >
        <Modal.Section>
          <BlockStack gap="300">
            <Text as="p">{t("stores.links.unlinkBody")}</Text>
            <ChoiceList
              title={t("stores.links.unlinkBody")}
              titleHidden
              choices={[
                { label: t("stores.links.keep"), value: "keep", helpText: t("stores.links.keepHelp") },
                { label: t("stores.links.split"), value: "split", helpText: t("stores.links.splitHelp", { name: store.name, mappings: store.mappings }) },
              ]}
              selected={[choice]}
              onChange={(v) => setChoice(v[0] === "split" ? "split" : "keep")}
            />
          </BlockStack>
        </Modal.Section>
      </Modal>
    </>
  );
}
