import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { KeyrelayError } from "../domain/errors.ts";
import { exportAuditCsv, listAudit } from "../use-cases/list-audit.ts";
import { auditRetentionOf } from "../use-cases/prune-audit.ts";
import { statusOf, type PageArgs, type PageError } from "./pool-pages.ts";

/**
 * The Audit log page of both surfaces (audit.view: owners, managers): one GET with the filters
 * and the cursor in the query string (no secrets in them), and the filtered rows as a CSV download,
 * itself audited.
 */

function inputOf(q: URLSearchParams) {
  return { actorType: q.get("actorType"), action: q.get("action"), from: q.get("from"), to: q.get("to"), q: q.get("q"), cursor: q.get("cursor") };
}

export async function auditLoader({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "audit.view");
  const q = new URL(request.url).searchParams;
  const input = inputOf(q);
  let error: PageError | null = null;
  let page;
  try {
    page = await listAudit(s, admin.accountId, input);
  } catch (e) {
    if (!(e instanceof KeyrelayError) || e.kind !== "invalid_input") throw e;
    // A bad filter in the address: say which field, and show the unfiltered log meanwhile.
    const field = "field" in e && typeof e.field === "string" ? e.field : undefined;
    error = { code: e.code, params: e.params, field };
    page = await listAudit(s, admin.accountId, {});
  }
  return {
    base: admin.base,
    surface,
    error,
    query: { actorType: input.actorType ?? "", action: input.action ?? "", from: input.from ?? "", to: input.to ?? "", q: input.q ?? "" },
    cursor: input.cursor ?? null,
    timeZone: page.timeZone,
    rows: page.rows,
    nextCursor: page.nextCursor,
    actions: page.actions,
    // The retention setting (audit.retention_days) and what it pruned; owners change it in Settings.
    retention: { ...(await auditRetentionOf(s, admin.accountId)), canEdit: admin.can("settings.manage") },
  };
}

/** GET …/audit/export?actorType=…&action=…&from=…&to=…&q=…: the filtered rows as CSV (UTF-8 with BOM, formula-safe), audited. */
export async function auditExportLoader({ request, context }: PageArgs, surface: Surface): Promise<Response> {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "audit.view");
  const q = new URL(request.url).searchParams;
  try {
    const { csv } = await exportAuditCsv(s, admin.accountId, inputOf(q), { ...admin.actor, ip: context.clientIp ?? null });
    const day = new Date().toISOString().slice(0, 10);
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="keyrelay-audit-${day}.csv"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (e) {
    if (e instanceof KeyrelayError && e.kind === "invalid_input") return new Response(e.code, { status: statusOf(e.code), headers: { "Content-Type": "text/plain; charset=utf-8" } });
    throw e;
  }
}
