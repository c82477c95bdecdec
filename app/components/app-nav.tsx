import type { DetailedHTMLProps, HTMLAttributes } from "react";
import { useTranslation } from "react-i18next";

// App Bridge's navigation elements (Polaris web components loaded by the Shopify AppProvider).
type CustomElement = DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement> & { href?: string; rel?: string };
declare module "react" {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      "s-app-nav": CustomElement;
      "s-link": CustomElement;
    }
  }
}

/** The embedded app's entries in the Shopify admin's sidebar. */
export function AppNav({ team, settings = false, risk = false, reports = false, audit = false, resellers = false }: { team: boolean; settings?: boolean; risk?: boolean; reports?: boolean; audit?: boolean; resellers?: boolean }) {
  const { t } = useTranslation();
  return (
    <s-app-nav>
      <s-link href="/app" rel="home">
        {t("nav.dashboard")}
      </s-link>
      <s-link href="/app/pools">{t("nav.pools")}</s-link>
      <s-link href="/app/stores">{t("nav.stores")}</s-link>
      <s-link href="/app/orders">{t("nav.orders")}</s-link>
      {risk ? <s-link href="/app/risk/reviews">{t("nav.risk")}</s-link> : null}
      {reports ? <s-link href="/app/reports">{t("nav.reports")}</s-link> : null}
      {audit ? <s-link href="/app/audit">{t("nav.audit")}</s-link> : null}
      {resellers ? <s-link href="/app/resellers">{t("nav.resellers")}</s-link> : null}
      {team ? <s-link href="/app/team">{t("nav.team")}</s-link> : null}
      {settings ? <s-link href="/app/settings">{t("nav.settings")}</s-link> : null}
    </s-app-nav>
  );
}
