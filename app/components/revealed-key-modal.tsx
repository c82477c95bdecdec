import { BlockStack, Box, InlineStack, Modal, Text } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Code } from "./pool-ui.tsx";

export interface RevealedKey {
  keyId: number;
  code: string;
  fields: Record<string, string>;
}

/**
 * A key's plaintext, shown once after an audited reveal (pool page, order page), with a copy
 * button. Closing drops it: the page keeps no copy.
 */
export function RevealedKeyModal({ revealed, onClose }: { revealed: RevealedKey | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const close = () => {
    setCopied(false);
    onClose();
  };
  return (
    <Modal
      open={revealed !== null}
      onClose={close}
      title={revealed ? t("keys.revealTitle", { id: revealed.keyId }) : ""}
      primaryAction={{ content: t("keys.done"), onAction: close }}
      secondaryActions={[
        {
          content: copied ? t("keys.copied") : t("keys.copy"),
          onAction: () => {
            if (revealed) void navigator.clipboard?.writeText(revealed.code).then(() => setCopied(true), () => {});
          },
        },
      ]}
    >
      {revealed ? (
        <Modal.Section>
          <BlockStack gap="300">
            <Box padding="300" background="bg-surface-secondary" borderRadius="200">
              <BlockStack gap="200">
                <div data-testid="revealed-code">
                  <Code size="large">{revealed.code}</Code>
                </div>
                {Object.entries(revealed.fields).map(([name, value]) => (
                  <InlineStack key={name} gap="200" blockAlign="center">
                    <Text as="span" tone="subdued">
                      {name}
                    </Text>
                    <Code>{value}</Code>
                  </InlineStack>
                ))}
              </BlockStack>
            </Box>
            <Text as="p" tone="subdued">
              {t("keys.revealOnce")}
            </Text>
          </BlockStack>
        </Modal.Section>
      ) : null}
    </Modal>
  );
}
