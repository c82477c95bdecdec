import { Badge } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

/** Small pieces shared by the risk pages. */

const ACTION_TONES = { allow: "success", block: "critical", review: "attention" } as const;

export function RiskActionBadge({ action }: { action: "allow" | "block" | "review" }) {
  const { t } = useTranslation();
  return <Badge tone={ACTION_TONES[action]}>{t(`risk.actions.${action}`)}</Badge>;
}
