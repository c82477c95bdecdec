import { Outlet } from "react-router";
import { portalLayoutLoader } from "../.server/http/portal/portal-pages.ts";
import { PortalErrorPage } from "../components/portal/portal-error-page.tsx";
import { PortalFrame } from "../components/portal/portal-frame.tsx";
import type { Route } from "./+types/portal";

export const loader = (args: Route.LoaderArgs) => portalLayoutLoader(args);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function PortalLayout({ loaderData }: Route.ComponentProps) {
  return (
    <PortalFrame {...loaderData}>
      <Outlet />
    </PortalFrame>
  );
}

export function ErrorBoundary() {
  return <PortalErrorPage />;
}
