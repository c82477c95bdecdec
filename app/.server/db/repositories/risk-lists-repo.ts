import crypto from "node:crypto";
import type { ListAction, ListEntry, ListKind } from "../../domain/risk-lists.ts";
import type { Executor } from "./job-rows.ts";

export interface NewListEntry {
  kind: ListKind;
  value: string;
  action: ListAction;
  expiresAt: string | null;
  note: string | null;
}

/** Adds the entry, or updates the one for the same (kind, value): its action and expiry are the new ones. */
export async function upsertListEntry(db: Executor, accountId: string, e: NewListEntry, now: string): Promise<ListEntry & { created: boolean }> {
  const existing = await db.selectFrom("risk_list_entries").select("id").where("account_id", "=", accountId).where("kind", "=", e.kind).where("value", "=", e.value).executeTakeFirst();
  const id = existing?.id ?? `list_${crypto.randomBytes(6).toString("hex")}`;
  await db
    .insertInto("risk_list_entries")
    .values({ id, account_id: accountId, kind: e.kind, value: e.value, action: e.action, expires_at: e.expiresAt, note: e.note, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["account_id", "kind", "value"]).doUpdateSet({ action: e.action, expires_at: e.expiresAt, note: e.note, updated_at: now }))
    .execute();
  return { id, kind: e.kind, value: e.value, action: e.action, expiresAt: e.expiresAt, created: !existing };
}

export async function listListEntries(db: Executor, accountId: string): Promise<(ListEntry & { note: string | null; createdAt: string })[]> {
  const rows = await db.selectFrom("risk_list_entries").selectAll().where("account_id", "=", accountId).orderBy("kind").orderBy("value").execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, value: r.value, action: r.action, expiresAt: r.expires_at, note: r.note, createdAt: r.created_at }));
}

export async function deleteListEntry(db: Executor, accountId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom("risk_list_entries").where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/**
 * The unexpired entries an order could match: exact values by the unique index, plus the
 * account's IP ranges (checked in the domain; few per account). `anyCard`: also the account's
 * card entries (an order whose card was not read learns whether any card is listed, in this one query).
 */
export async function candidateListEntries(db: Executor, accountId: string, exact: { kind: ListKind; value: string }[], now: string, opts: { anyCard?: boolean } = {}): Promise<ListEntry[]> {
  const rows = await db
    .selectFrom("risk_list_entries")
    .select(["id", "kind", "value", "action", "expires_at"])
    .where("account_id", "=", accountId)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
    .where((eb) => eb.or([eb("kind", "=", "ip"), ...(opts.anyCard ? [eb("kind", "=", "card")] : []), ...exact.filter((c) => c.kind !== "ip").map((c) => eb.and([eb("kind", "=", c.kind), eb("value", "=", c.value)]))]))
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, value: r.value, action: r.action, expiresAt: r.expires_at }));
}
