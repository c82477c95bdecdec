import { Badge, BlockStack, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import type { AllocationStatus, OrderStatus } from "../.server/db/schema.ts";

/** Small pieces shared by the order pages. */

const ORDER_TONES: Partial<Record<OrderStatus, "success" | "info" | "attention" | "warning" | "critical">> = {
  allocated: "success",
  partially_allocated: "warning",
  held: "attention",
  cancelled: "critical",
  refunded: "critical",
  received: "info",
};

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const { t } = useTranslation();
  return <Badge tone={ORDER_TONES[status]}>{t(`orders.status.${status}`)}</Badge>;
}

const UNIT_TONES: Partial<Record<AllocationStatus, "success" | "info" | "attention" | "warning" | "critical">> = {
  allocated: "success",
  backordered: "warning",
  revoked: "critical",
  returned: "attention",
};

export function UnitStatusBadge({ status }: { status: AllocationStatus }) {
  const { t } = useTranslation();
  return <Badge tone={UNIT_TONES[status]}>{t(`orders.units.${status}`)}</Badge>;
}

const DELIVERY_TONES = { sent: "success", pending: "info", failed: "critical", skipped: undefined } as const;

export function DeliveryStatusBadge({ status }: { status: keyof typeof DELIVERY_TONES }) {
  const { t } = useTranslation();
  return <Badge tone={DELIVERY_TONES[status]}>{t(`orders.deliveryStatus.${status}`)}</Badge>;
}

/** "#1001" as the host shows it, else the host's id. */
export function orderLabel(o: { name: string | null; externalId?: string; external_id?: string }): string {
  const name = o.name ?? o.externalId ?? o.external_id ?? "";
  return /^\d+$/.test(name) ? `#${name}` : name;
}

/** One fact of an order: its label above, its value below (small, so several fit in a row). */
export function Field({ label, value }: { label: string; value: string }) {
  return (
    <BlockStack gap="050">
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="span" breakWord>
        {value}
      </Text>
    </BlockStack>
  );
}
