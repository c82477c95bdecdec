import { auditLoader } from "../.server/http/audit-pages.ts";
import { AuditPage } from "../components/audit-page.tsx";
import type { Route } from "./+types/admin.audit";

export const loader = (args: Route.LoaderArgs) => auditLoader(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminAudit({ loaderData }: Route.ComponentProps) {
  return <AuditPage data={loaderData} />;
}
