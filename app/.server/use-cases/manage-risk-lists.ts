import { recordAudit } from "../db/repositories/audit-repo.ts";
import { deleteListEntry, listListEntries, upsertListEntry } from "../db/repositories/risk-lists-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { parseExpiry, parseListAction, parseListKind, parseListValue } from "../domain/risk-lists.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/** Adds (or updates) an allow / block list entry; a bad kind, value or expiry is refused and nothing is saved. */
export async function addRiskListEntry(
  s: Pick<Services, "db">,
  accountId: string,
  input: { kind: unknown; value: unknown; action: unknown; expiresIn?: unknown; note?: unknown },
  actor: Actor,
) {
  const kind = parseListKind(input.kind);
  const value = parseListValue(kind, input.value);
  const action = parseListAction(input.action);
  const now = new Date();
  const expiresAt = input.expiresIn === undefined || input.expiresIn === null ? null : new Date(now.getTime() + parseExpiry(input.expiresIn) * 60_000).toISOString();
  const note = typeof input.note === "string" && input.note.trim() ? input.note.trim().slice(0, 500) : null;
  return s.db.transaction().execute(async (trx) => {
    const entry = await upsertListEntry(trx, accountId, { kind, value, action, expiresAt, note }, now.toISOString());
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.list_entry_set", subjectType: "risk_list_entry", subjectId: entry.id, details: { kind, value, action, expiresAt } });
    return entry;
  });
}

export async function listRiskListEntries(s: Pick<Services, "db">, accountId: string) {
  const now = Date.now();
  return (await listListEntries(s.db, accountId)).map((e) => ({ ...e, active: e.expiresAt === null || Date.parse(e.expiresAt) > now }));
}

export async function removeRiskListEntry(s: Pick<Services, "db">, accountId: string, id: string, actor: Actor): Promise<void> {
  await s.db.transaction().execute(async (trx) => {
    if (!(await deleteListEntry(trx, accountId, id))) throw new InvalidInputError("risk_list_entry_not_found", "no such list entry", { field: "id", params: { id } });
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.list_entry_removed", subjectType: "risk_list_entry", subjectId: id });
  });
}
