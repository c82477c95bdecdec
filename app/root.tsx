import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useMemo } from "react";
import { I18nextProvider, useTranslation } from "react-i18next";
import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError, useRouteLoaderData } from "react-router";
import type { Route } from "./+types/root";
import { PolarisProvider } from "./components/polaris-provider.tsx";
import { createI18n, type Locale } from "./i18n/i18n.ts";
import { signedInAdmin } from "./.server/auth/admin-session.ts";
import { signedInReseller } from "./.server/auth/reseller-portal-session.ts";
import { getAdminProfile } from "./.server/use-cases/get-admin-profile.ts";
import { resolveLocale } from "./.server/http/resolve-locale.ts";
import "./context.ts";

export const links: Route.LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const s = context.services;
  // The portal speaks its signed-in reseller user's language; the admin cookie means nothing there.
  if (new URL(request.url).pathname.startsWith("/portal")) {
    const who = await signedInReseller(s, request);
    return { locale: resolveLocale({ request, userLocale: who?.user.locale, fallback: s.config.defaultLocale }) };
  }
  const admin = await signedInAdmin(s, request);
  const profile = admin ? await getAdminProfile(s, admin.user.id) : undefined;
  const locale = resolveLocale({ request, userLocale: profile?.locale, accountLocale: profile?.accountLocale, fallback: s.config.defaultLocale });
  return { locale };
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang={data?.locale ?? "en"}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

function Providers({ locale, children }: { locale: Locale; children: React.ReactNode }) {
  const i18n = useMemo(() => createI18n(locale), [locale]);
  return (
    <I18nextProvider i18n={i18n}>
      <PolarisProvider locale={locale}>{children}</PolarisProvider>
    </I18nextProvider>
  );
}

export default function App({ loaderData }: Route.ComponentProps) {
  return (
    <Providers locale={loaderData.locale}>
      <Outlet />
    </Providers>
  );
}

function ErrorText() {
  const error = useRouteError();
  const { t } = useTranslation();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  // A role's refusal (403 from requirePageAdmin) names the role in the reader's language.
  const forbidden = isRouteErrorResponse(error) && error.status === 403 ? (error.data as { error?: { role?: string } } | undefined)?.error : undefined;
  const title = notFound ? t("errors.notFoundTitle") : forbidden ? t("errors.forbiddenTitle") : t("errors.title");
  const text = notFound ? t("errors.notFound") : forbidden ? t("errors.forbidden", { role: t(`team.roles.${forbidden.role ?? "viewer"}`) }) : t("errors.unexpected");
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 560, margin: "10vh auto", padding: 24 }}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <a href="/admin">{t("errors.backHome")}</a>
      </p>
    </main>
  );
}

export function ErrorBoundary() {
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <Providers locale={data?.locale ?? "en"}>
      <ErrorText />
    </Providers>
  );
}
