import { data, Outlet } from "react-router";
import { adminSessionStorage, ensureCsrf, requireAdmin } from "../.server/auth/admin-session.ts";
import { getAdminProfile } from "../.server/use-cases/get-admin-profile.ts";
import { AdminFrame } from "../components/admin-frame.tsx";
import type { Route } from "./+types/admin";

export async function loader({ request, context }: Route.LoaderArgs) {
  const s = context.services;
  const { user, session } = await requireAdmin(s, request);
  const profile = await getAdminProfile(s, user.id);
  const hadCsrf = Boolean(session.get("csrf"));
  const csrf = ensureCsrf(session);
  const headers: HeadersInit = hadCsrf ? {} : { "Set-Cookie": await adminSessionStorage(s).commitSession(session) };
  return data({ email: user.email, accountName: profile?.accountName ?? "", csrf }, { headers });
}

export default function AdminLayout({ loaderData }: Route.ComponentProps) {
  const { email, accountName, csrf } = loaderData;
  return (
    <AdminFrame email={email} accountName={accountName} csrf={csrf}>
      <Outlet />
    </AdminFrame>
  );
}
