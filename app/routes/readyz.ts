import { checkReadiness } from "../.server/use-cases/check-readiness.ts";
import type { Route } from "./+types/readyz";

/** Readiness: the database and the queue engine answer; 503 otherwise, so a balancer routes around us. */
export async function loader({ context }: Route.LoaderArgs) {
  const r = await checkReadiness(context.services);
  return Response.json(r, { status: r.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
