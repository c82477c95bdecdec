import type { TFunction } from "i18next";
import { Box, Button, InlineStack, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { SUPPORTED_LOCALES } from "../../i18n/i18n.ts";

/** A portal error in the reader's language: the portal's own texts, then the API's problem titles, then the admin's. */
export function portalErrorText(t: TFunction, error: { code: string; params?: Record<string, string | number> }): string {
  return t([`portal.errors.${error.code}`, `resellerApi.problems.${error.code}`, `errors.${error.code}`, "errors.unexpected"], { ...error.params });
}

/** Next / first page of a cursor-paginated list (newest first). */
export function CursorPager({ base, nextCursor, first }: { base: string; nextCursor: string | null; first: boolean }) {
  const { t } = useTranslation();
  if (first && !nextCursor) return null;
  return (
    <Box padding="300">
      <InlineStack gap="200" align="end">
        {!first ? <Button url={base}>{t("portal.pager.newest")}</Button> : null}
        {nextCursor ? <Button url={`${base}?cursor=${encodeURIComponent(nextCursor)}`}>{t("portal.pager.older")}</Button> : null}
      </InlineStack>
    </Box>
  );
}

/** The language links of the signed-out pages (?locale= is honoured by every page's language choice). */
export function LocaleLinks() {
  const { t } = useTranslation();
  return (
    <InlineStack gap="300">
      {SUPPORTED_LOCALES.map((l) => (
        <Link key={l} to={`?locale=${l}`} reloadDocument>
          <Text as="span" variant="bodySm">
            {t(`locale.${l}`)}
          </Text>
        </Link>
      ))}
    </InlineStack>
  );
}
