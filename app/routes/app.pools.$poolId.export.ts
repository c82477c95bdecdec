import { exportAction, exportLoader } from "../.server/http/export-page.ts";
import type { Route } from "./+types/app.pools.$poolId.export";

/** CSV download: GET masked, POST (CSRF) with plaintext codes. */
export const loader = (args: Route.LoaderArgs) => exportLoader(args, "app");
export const action = (args: Route.ActionArgs) => exportAction(args, "app");
