import { portalOrdersLoader } from "../.server/http/portal/portal-pages.ts";
import { PortalOrdersPage } from "../components/portal/portal-orders-page.tsx";
import type { Route } from "./+types/portal.orders._index";

export const loader = (args: Route.LoaderArgs) => portalOrdersLoader(args);

export default function PortalOrders({ loaderData }: Route.ComponentProps) {
  return <PortalOrdersPage data={loaderData} />;
}
