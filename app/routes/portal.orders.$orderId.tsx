import { portalOrderAction, portalOrderLoader } from "../.server/http/portal/portal-pages.ts";
import { PortalOrderPage } from "../components/portal/portal-order-page.tsx";
import type { Route } from "./+types/portal.orders.$orderId";

export const loader = (args: Route.LoaderArgs) => portalOrderLoader(args);
export const action = (args: Route.ActionArgs) => portalOrderAction(args);

export default function PortalOrder({ loaderData }: Route.ComponentProps) {
  return <PortalOrderPage data={loaderData} />;
}
