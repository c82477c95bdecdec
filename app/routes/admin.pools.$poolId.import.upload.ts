import { uploadAction } from "../.server/http/import-page.ts";
import type { Route } from "./+types/admin.pools.$poolId.import.upload";

/** The key file as the raw request body, streamed to a temp file (see import-page.ts). */
export const action = (args: Route.ActionArgs) => uploadAction(args, "admin");
