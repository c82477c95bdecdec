import { invitationAction, invitationLoader } from "../.server/http/invitation-page.ts";
import { AcceptInvitationPage } from "../components/accept-invitation-page.tsx";
import type { Route } from "./+types/invite.$token";

export const loader = (args: Route.LoaderArgs) => invitationLoader(args);
export const action = (args: Route.ActionArgs) => invitationAction(args);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

// The loader's no-store / no-referrer travel with the document.
export const headers: Route.HeadersFunction = ({ loaderHeaders, actionHeaders }) => {
  const h = new Headers(loaderHeaders);
  for (const [k, v] of actionHeaders) h.set(k, v);
  return h;
};

export default function AcceptInvitation({ loaderData, actionData }: Route.ComponentProps) {
  return <AcceptInvitationPage data={loaderData} actionError={actionData && !actionData.ok ? actionData.error : undefined} />;
}
