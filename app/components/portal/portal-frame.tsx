import { Frame, Navigation, TopBar } from "@shopify/polaris";
import { CashDollarIcon, CodeIcon, ConnectIcon, OrderIcon, ProductIcon } from "@shopify/polaris-icons";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useSubmit } from "react-router";
import { SUPPORTED_LOCALES } from "../../i18n/i18n.ts";

/** The portal's chrome: its own top bar (the reseller, language, sign out) and navigation; nothing of the admin's. */
export function PortalFrame({ email, resellerName, merchantName, csrf, children }: { email: string; resellerName: string; merchantName: string; csrf: string; children: ReactNode }) {
  const { t } = useTranslation();
  const location = useLocation();
  const submit = useSubmit();
  const [menuOpen, setMenuOpen] = useState(false);
  const [navOpen, setNavOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  const userMenu = (
    <TopBar.UserMenu
      name={email}
      detail={resellerName}
      initials={email.slice(0, 1).toUpperCase()}
      open={menuOpen}
      onToggle={() => setMenuOpen((o) => !o)}
      actions={[
        { items: SUPPORTED_LOCALES.map((l) => ({ content: t(`locale.${l}`), onAction: () => submit({ locale: l, csrf, redirectTo: location.pathname }, { method: "post", action: "/portal/locale" }) })) },
        { items: [{ content: t("nav.signOut"), onAction: () => submit({ csrf }, { method: "post", action: "/portal/logout" }) }] },
      ]}
    />
  );
  return (
    <Frame
      logo={{ topBarSource: "/favicon.svg", width: 28, url: "/portal", accessibilityLabel: t("portal.name") }}
      topBar={<TopBar showNavigationToggle userMenu={userMenu} onNavigationToggle={() => setNavOpen((o) => !o)} />}
      navigation={
        <Navigation location={location.pathname}>
          <Navigation.Section
            title={t("portal.navTitle", { merchant: merchantName })}
            items={[
              { url: "/portal", label: t("portal.nav.catalog"), icon: ProductIcon, exactMatch: true },
              { url: "/portal/orders", label: t("portal.nav.orders"), icon: OrderIcon },
              { url: "/portal/balance", label: t("portal.nav.balance"), icon: CashDollarIcon },
              { url: "/portal/tokens", label: t("portal.nav.tokens"), icon: CodeIcon },
              { url: "/portal/webhooks", label: t("portal.nav.webhooks"), icon: ConnectIcon },
            ]}
          />
        </Navigation>
      }
      showMobileNavigation={navOpen}
      onNavigationDismiss={() => setNavOpen(false)}
    >
      {children}
    </Frame>
  );
}
