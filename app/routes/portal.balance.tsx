import { portalBalanceLoader } from "../.server/http/portal/portal-pages.ts";
import { PortalBalancePage } from "../components/portal/portal-balance-page.tsx";
import type { Route } from "./+types/portal.balance";

export const loader = (args: Route.LoaderArgs) => portalBalanceLoader(args);

export default function PortalBalance({ loaderData }: Route.ComponentProps) {
  return <PortalBalancePage data={loaderData} />;
}
