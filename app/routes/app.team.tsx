import { teamAction, teamLoader } from "../.server/http/team-pages.ts";
import { TeamPage } from "../components/team-page.tsx";
import type { Route } from "./+types/app.team";

export const loader = (args: Route.LoaderArgs) => teamLoader(args, "app");
export const action = (args: Route.ActionArgs) => teamAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedTeam({ loaderData }: Route.ComponentProps) {
  return <TeamPage data={loaderData} />;
}
