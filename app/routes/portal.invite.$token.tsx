import { portalInviteAction, portalInviteLoader } from "../.server/http/portal/portal-auth-pages.ts";
import { PortalInvitePage } from "../components/portal/portal-invite-page.tsx";
import type { Route } from "./+types/portal.invite.$token";

export const loader = (args: Route.LoaderArgs) => portalInviteLoader(args);
export const action = (args: Route.ActionArgs) => portalInviteAction(args);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

// The loader's no-store / no-referrer travel with the document.
export const headers: Route.HeadersFunction = ({ loaderHeaders, actionHeaders }) => {
  const h = new Headers(loaderHeaders);
  for (const [k, v] of actionHeaders) h.set(k, v);
  return h;
};

export default function PortalInvite({ loaderData, actionData }: Route.ComponentProps) {
  return <PortalInvitePage data={loaderData} actionError={actionData && !actionData.ok ? actionData.error : undefined} />;
}
