import { Frame, Navigation, TopBar } from "@shopify/polaris";
import { ChartVerticalIcon, HomeIcon, KeyIcon, OrderIcon, PersonIcon, SettingsIcon, ShieldCheckMarkIcon, StoreIcon } from "@shopify/polaris-icons";
import { ClipboardChecklistIcon } from "@shopify/polaris-icons";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useSubmit } from "react-router";
import { SUPPORTED_LOCALES } from "../i18n/i18n.ts";

/** The standalone admin's chrome: top bar with the user menu (language, sessions, password, sign out) and navigation. */
export function AdminFrame({ email, accountName, csrf, team = false, settings = false, risk = false, reports = false, audit = false, resellers = false, children }: { email: string; accountName: string; csrf: string; team?: boolean; settings?: boolean; risk?: boolean; reports?: boolean; audit?: boolean; resellers?: boolean; children: ReactNode }) {
  const { t } = useTranslation();
  const location = useLocation();
  const submit = useSubmit();
  const [menuOpen, setMenuOpen] = useState(false);
  const [navOpen, setNavOpen] = useState(false);
  // A menu link navigates without a reload: the menu closes when the page changes.
  useEffect(() => setMenuOpen(false), [location.pathname]);

  const userMenu = (
    <TopBar.UserMenu
      name={email}
      detail={accountName}
      initials={email.slice(0, 1).toUpperCase()}
      open={menuOpen}
      onToggle={() => setMenuOpen((o) => !o)}
      actions={[
        {
          items: SUPPORTED_LOCALES.map((l) => ({
            content: t(`locale.${l}`),
            onAction: () => submit({ locale: l, csrf, redirectTo: location.pathname }, { method: "post", action: "/admin/locale" }),
          })),
        },
        {
          items: [
            { content: t("nav.sessions"), url: "/admin/sessions" },
            { content: t("nav.changePassword"), url: "/admin/password" },
            { content: t("nav.twoFactor"), url: "/admin/two-factor" },
          ],
        },
        { items: [{ content: t("nav.signOut"), onAction: () => submit({ csrf }, { method: "post", action: "/logout" }) }] },
      ]}
    />
  );

  return (
    <Frame
      logo={{ topBarSource: "/favicon.svg", width: 28, url: "/admin", accessibilityLabel: t("app.name") }}
      topBar={<TopBar showNavigationToggle userMenu={userMenu} onNavigationToggle={() => setNavOpen((o) => !o)} />}
      navigation={
        <Navigation location={location.pathname}>
          <Navigation.Section
            items={[
              { url: "/admin", label: t("nav.dashboard"), icon: HomeIcon, exactMatch: true },
              { url: "/admin/pools", label: t("nav.pools"), icon: KeyIcon },
              { url: "/admin/stores", label: t("nav.stores"), icon: StoreIcon },
              { url: "/admin/orders", label: t("nav.orders"), icon: OrderIcon },
              // The review queue and the rules: every role that sees orders (deciding and editing are checked apart).
              ...(risk ? [{ url: "/admin/risk/reviews", label: t("nav.risk"), icon: ShieldCheckMarkIcon, matchPaths: ["/admin/risk/rules"] }] : []),
              ...(reports ? [{ url: "/admin/reports", label: t("nav.reports"), icon: ChartVerticalIcon }] : []),
              // Shown to whoever may run the team (owners); the server refuses the page to anyone else.
              ...(audit ? [{ url: "/admin/audit", label: t("nav.audit"), icon: ClipboardChecklistIcon }] : []),
              ...(resellers ? [{ url: "/admin/resellers", label: t("nav.resellers"), icon: PersonIcon }] : []),
              ...(team ? [{ url: "/admin/team", label: t("nav.team"), icon: PersonIcon }] : []),
              ...(settings ? [{ url: "/admin/settings", label: t("nav.settings"), icon: SettingsIcon }] : []),
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
