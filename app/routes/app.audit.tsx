import { auditLoader } from "../.server/http/audit-pages.ts";
import { AuditPage } from "../components/audit-page.tsx";
import type { Route } from "./+types/app.audit";

export const loader = (args: Route.LoaderArgs) => auditLoader(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedAudit({ loaderData }: Route.ComponentProps) {
  return <AuditPage data={loaderData} />;
}
