import { AppProvider } from "@shopify/polaris";
import type { LinkLikeComponentProps } from "@shopify/polaris/build/ts/src/utilities/link";
import polarisEn from "@shopify/polaris/locales/en.json" with { type: "json" };
import polarisZhCN from "@shopify/polaris/locales/zh-CN.json" with { type: "json" };
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { Locale } from "../i18n/i18n.ts";

// Polaris's own component texts come from Polaris's shipped translations.
const polarisTranslations: Record<Locale, typeof polarisEn> = { en: polarisEn, "zh-CN": polarisZhCN as typeof polarisEn };

function RouterLink({ url, children, external, ...rest }: LinkLikeComponentProps) {
  if (external || /^https?:/.test(url)) {
    return (
      <a href={url} {...rest}>
        {children}
      </a>
    );
  }
  return (
    <Link to={url} {...rest}>
      {children}
    </Link>
  );
}

export function PolarisProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  return (
    <AppProvider i18n={polarisTranslations[locale]} linkComponent={RouterLink}>
      {children}
    </AppProvider>
  );
}
