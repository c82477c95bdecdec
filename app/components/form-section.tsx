import { BlockStack, Card, FormLayout, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

/** One titled card of a form (the pool form's and the settings page's sections): heading, then its fields. */
export function FormSection({
  title,
  children,
}: {
  title: string;
  children: ReactNode;
}) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <FormLayout>{children}</FormLayout>
      </BlockStack>
    </Card>
  );
}
