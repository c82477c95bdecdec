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

/** At most this many lines in one paste (the page's bulk add). */
export const MAX_BULK_ENTRIES = 1000;

/**
 * Adds many entries of one kind and action at once (the page's "paste one per line"): every line
 * is checked first, and one bad line saves nothing — its error names the line (1-based). Blank
 * lines and duplicates are skipped. One transaction, one audit row per entry.
 */
export async function addRiskListEntries(
  s: Pick<Services, "db">,
  accountId: string,
  input: { kind: unknown; values: unknown; action: unknown; expiresIn?: unknown; note?: unknown },
  actor: Actor,
): Promise<{ added: number; updated: number }> {
  const kind = parseListKind(input.kind);
  const action = parseListAction(input.action);
  const lines = (typeof input.values === "string" ? input.values : "").split(/\r?\n/);
  const values: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      values.push(parseListValue(kind, line));
    } catch (e) {
      if (e instanceof InvalidInputError) throw new InvalidInputError(e.code, `line ${i + 1}: ${e.message}`, { field: "values", params: { ...e.params, line: i + 1 } });
      throw e;
    }
  }
  const unique = [...new Set(values)];
  if (unique.length === 0) throw new InvalidInputError("risk_list_no_values", "paste at least one value, one per line", { field: "values", params: {} });
  if (unique.length > MAX_BULK_ENTRIES) throw new InvalidInputError("risk_list_too_many", `at most ${MAX_BULK_ENTRIES} values at once`, { field: "values", params: { max: MAX_BULK_ENTRIES } });
  const now = new Date();
  const expiresAt = input.expiresIn === undefined || input.expiresIn === null || input.expiresIn === "" ? null : new Date(now.getTime() + parseExpiry(input.expiresIn) * 60_000).toISOString();
  const note = typeof input.note === "string" && input.note.trim() ? input.note.trim().slice(0, 500) : null;
  return s.db.transaction().execute(async (trx) => {
    let added = 0;
    for (const value of unique) {
      const entry = await upsertListEntry(trx, accountId, { kind, value, action, expiresAt, note }, now.toISOString());
      if (entry.created) added++;
      await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.list_entry_set", subjectType: "risk_list_entry", subjectId: entry.id, details: { kind, value, action, expiresAt } });
    }
    return { added, updated: unique.length - added };
  });
}
