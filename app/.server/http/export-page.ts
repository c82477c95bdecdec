import { requirePageAdmin, type PageAdmin, type Surface } from "../auth/admin-context.ts";
import type { KeyState } from "../db/schema.ts";
import { KeyrelayError } from "../domain/errors.ts";
import { exportKeys } from "../use-cases/export-keys.ts";
import { accountDay } from "../use-cases/manage-settings.ts";
import { LISTED_STATES, statusOf, type PageArgs } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";
import type { Services } from "../ports.ts";

/**
 * CSV export of a pool's keys, streamed page by page from exportKeys (never the whole pool in
 * memory). GET exports masked codes; plaintext codes only by POST with the CSRF token (the
 * page asks for a confirmation first), and exportKeys audits either.
 */

export async function exportLoader({ request, context, params }: PageArgs, surface: Surface): Promise<Response> {
  const admin = await requirePageAdmin(context.services, request, surface, "keys.export");
  return streamExport(context.services, admin, params.poolId ?? "", new URL(request.url).searchParams, false, context.clientIp);
}

export async function exportAction({ request, context, params }: PageArgs, surface: Surface): Promise<Response> {
  const admin = await requirePageAdmin(context.services, request, surface, "keys.export");
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const plaintext = ["on", "true", "1"].includes(form.get("plaintext") ?? "");
    return await streamExport(context.services, admin, params.poolId ?? "", form, plaintext, context.clientIp);
  } catch (e) {
    return plainError(e);
  }
}

function plainError(e: unknown): Response {
  if (e instanceof KeyrelayError && e.kind === "invalid_input") {
    return new Response(e.code, { status: statusOf(e.code), headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  throw e;
}

async function streamExport(s: Services, admin: PageAdmin, poolId: string, q: URLSearchParams, plaintext: boolean, ip: string): Promise<Response> {
  const stateParam = q.get("state") ?? "";
  const state = (LISTED_STATES as readonly string[]).includes(stateParam) ? (stateParam as KeyState) : undefined;
  const batchId = q.get("batch") || undefined;
  const lines = exportKeys(s, admin.accountId, { poolId, state, batchId, plaintext }, { ...admin.actor, ip });
  // The first chunk (the header) is read before answering, so "no such pool" is a 404, not a broken download.
  let first: IteratorResult<string>;
  try {
    first = await lines.next();
  } catch (e) {
    return plainError(e);
  }
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(encoder.encode(first.value));
    },
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  // The account's day (its time zone setting), not the server's.
  const day = await accountDay(s, admin.accountId);
  const name = `keyrelay-${poolId.slice(0, 8)}-${state ?? "all"}${plaintext ? "-plaintext" : ""}-${day}.csv`;
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
