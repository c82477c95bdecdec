import { portalCatalogLoader, portalPlaceOrderAction } from "../.server/http/portal/portal-pages.ts";
import { PortalCatalogPage } from "../components/portal/portal-catalog-page.tsx";
import type { Route } from "./+types/portal._index";

export const loader = (args: Route.LoaderArgs) => portalCatalogLoader(args);
export const action = (args: Route.ActionArgs) => portalPlaceOrderAction(args);

export default function PortalCatalog({ loaderData }: Route.ComponentProps) {
  return <PortalCatalogPage data={loaderData} />;
}
