import { Outlet } from "react-router";
import { requireAdmin } from "../.server/auth/admin-session.ts";
import { can } from "../.server/domain/roles.ts";
import { getAdminProfile } from "../.server/use-cases/get-admin-profile.ts";
import { AdminFrame } from "../components/admin-frame.tsx";
import type { Route } from "./+types/admin";

export async function loader({ request, context }: Route.LoaderArgs) {
  const s = context.services;
  const { user, csrf } = await requireAdmin(s, request);
  const profile = await getAdminProfile(s, user.id);
  return { email: user.email, accountName: profile?.accountName ?? "", csrf, team: can(user.role, "team.manage"), settings: can(user.role, "settings.manage"), risk: can(user.role, "orders.view"), reports: can(user.role, "reports.view"), audit: can(user.role, "audit.view"), resellers: can(user.role, "resellers.manage") };
}

export default function AdminLayout({ loaderData }: Route.ComponentProps) {
  const { email, accountName, csrf, team, settings, risk, reports, audit, resellers } = loaderData;
  return (
    <AdminFrame email={email} accountName={accountName} csrf={csrf} team={team} settings={settings} risk={risk} reports={reports} audit={audit} resellers={resellers}>
      <Outlet />
    </AdminFrame>
  );
}
