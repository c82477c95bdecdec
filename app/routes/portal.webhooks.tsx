import { portalWebhooksAction, portalWebhooksLoader } from "../.server/http/portal/portal-pages.ts";
import { PortalWebhooksPage } from "../components/portal/portal-webhooks-page.tsx";
import type { Route } from "./+types/portal.webhooks";

export const loader = (args: Route.LoaderArgs) => portalWebhooksLoader(args);
export const action = (args: Route.ActionArgs) => portalWebhooksAction(args);

export default function PortalWebhooks({ loaderData }: Route.ComponentProps) {
  return <PortalWebhooksPage data={loaderData} />;
}
