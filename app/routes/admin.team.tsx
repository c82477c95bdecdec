import { teamAction, teamLoader } from "../.server/http/team-pages.ts";
import { TeamPage } from "../components/team-page.tsx";
import type { Route } from "./+types/admin.team";

export const loader = (args: Route.LoaderArgs) => teamLoader(args, "admin");
export const action = (args: Route.ActionArgs) => teamAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminTeam({ loaderData }: Route.ComponentProps) {
  return <TeamPage data={loaderData} />;
}
