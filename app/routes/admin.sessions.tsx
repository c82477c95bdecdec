import { sessionsAction, sessionsLoader } from "../.server/http/admin-account-pages.ts";
import { AdminSessionsPage } from "../components/admin-sessions-page.tsx";
import type { Route } from "./+types/admin.sessions";

export const loader = (args: Route.LoaderArgs) => sessionsLoader(args);
export const action = (args: Route.ActionArgs) => sessionsAction(args);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminSessions({ loaderData, actionData }: Route.ComponentProps) {
  return <AdminSessionsPage data={loaderData} actionData={actionData} />;
}
