import { portalOrderDownloadLoader } from "../.server/http/portal/portal-pages.ts";
import type { Route } from "./+types/portal.orders.$orderId.keys";

/** GET ?format=csv|txt — the order's keys as a file (audited). */
export const loader = (args: Route.LoaderArgs) => portalOrderDownloadLoader(args);
