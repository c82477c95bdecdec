import { data, Outlet } from "react-router";
import { adminSessionStorage, ensureCsrf, requireAdmin } from "../.server/auth/admin-session.ts";
import { AdminFrame } from "../components/admin-frame.tsx";
import type { Route } from "./+types/admin";

export async function loader({ request, context }: Route.LoaderArgs) {
  const s = context.services;
  const { user, session } = await requireAdmin(s, request);
  const hadCsrf = Boolean(session.get("csrf"));
  const csrf = ensureCsrf(session);
  const headers: HeadersInit = hadCsrf ? {} : { "Set-Cookie": await adminSessionStorage(s).commitSession(session) };
  return data({ email: user.email, csrf }, { headers });
}

export default function AdminLayout({ loaderData }: Route.ComponentProps) {
  const { email, csrf } = loaderData;
  return (
    <AdminFrame email={email} csrf={csrf}>
      <Outlet />
    </AdminFrame>
  );
}
