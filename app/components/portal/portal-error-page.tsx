import { isRouteErrorResponse, useRouteError } from "react-router";
import { useTranslation } from "react-i18next";

/** A portal page that cannot be shown: not found (another reseller's id, a typo) or an error; back to the catalog, never to the admin. */
export function PortalErrorPage() {
  const error = useRouteError();
  const { t } = useTranslation();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 560, margin: "10vh auto", padding: 24 }}>
      <h1>{notFound ? t("errors.notFoundTitle") : t("errors.title")}</h1>
      <p>{notFound ? t("errors.notFound") : t("errors.unexpected")}</p>
      <p>
        <a href="/portal">{t("portal.backToCatalog")}</a>
      </p>
    </main>
  );
}
