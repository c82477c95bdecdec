import { sql } from "kysely";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { parseAuditFilter, type AuditFilter, type AuditFilterInput } from "../domain/audit-query.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { csvLine } from "../domain/spreadsheet-safety.ts";
import type { Services } from "../ports.ts";
import type { AuditLogTable } from "../db/schema.ts";

/**
 * Reading the audit log (issue 16): one account's rows newest first, a page at a time (cursor =
 * the last id shown), filtered by actor type, action and local days, searched by subject id or
 * actor (id, an admin's email, a reseller's name). Actors are resolved to something a person
 * recognises; a row's details are ids, counts and reasons, never a key or a token.
 */

export interface AuditRowView {
  id: number;
  at: string;
  actorType: AuditLogTable["actor_type"];
  actorId: string | null;
  /** An admin's email, a reseller's name, a shop's domain; null when nothing better than the id is known. */
  actorName: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  details: string | null;
  ip: string | null;
}

export interface AuditPage {
  timeZone: string;
  filter: AuditFilter;
  rows: AuditRowView[];
  /** The cursor of the next (older) page, null on the last. */
  nextCursor: string | null;
  /** Every action the account's log holds (for the action filter). */
  actions: string[];
}

type Db = Pick<Services, "db">;

async function accountTimeZone(s: Db, accountId: string): Promise<string> {
  const a = await s.db.selectFrom("accounts").select("time_zone").where("id", "=", accountId).executeTakeFirst();
  if (!a) throw new InvalidInputError("account_not_found", "no such account");
  return a.time_zone;
}

/** Actor ids a search term names: admins by email, resellers by name (both within the account). */
async function actorsMatching(s: Db, accountId: string, q: string): Promise<string[]> {
  const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const [admins, resellers] = await Promise.all([
    s.db.selectFrom("admin_users").select("id").where("account_id", "=", accountId).where(sql<boolean>`lower(email) like ${like} escape '\\'`).limit(100).execute(),
    s.db.selectFrom("resellers").select("id").where("account_id", "=", accountId).where(sql<boolean>`lower(name) like ${like} escape '\\'`).limit(100).execute(),
  ]);
  return [...admins.map((a) => a.id), ...resellers.map((r) => r.id)];
}

async function selectRows(s: Db, accountId: string, f: AuditFilter, limit: number, matchedActors: string[]) {
  let query = s.db.selectFrom("audit_log").selectAll().where("account_id", "=", accountId);
  if (f.actorType) query = query.where("actor_type", "=", f.actorType);
  if (f.action) query = query.where("action", "=", f.action);
  if (f.fromInstant) query = query.where("created_at", ">=", f.fromInstant);
  if (f.toInstant) query = query.where("created_at", "<", f.toInstant);
  if (f.before) query = query.where("id", "<", f.before);
  if (f.q) {
    const q = f.q;
    query = query.where((eb) => eb.or([eb("subject_id", "=", q), eb("actor_id", "=", q), ...(matchedActors.length ? [eb("actor_id", "in", matchedActors)] : [])]));
  }
  return query.orderBy("id", "desc").limit(limit).execute();
}

async function resolveActors(s: Db, accountId: string, rows: { actor_type: string; actor_id: string | null }[]): Promise<Map<string, string>> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.actor_type === type && r.actor_id).map((r) => r.actor_id!))];
  const adminIds = ids("admin");
  const resellerIds = ids("reseller");
  const [admins, resellers] = await Promise.all([
    adminIds.length ? s.db.selectFrom("admin_users").select(["id", "email"]).where("account_id", "=", accountId).where("id", "in", adminIds).execute() : [],
    resellerIds.length ? s.db.selectFrom("resellers").select(["id", "name"]).where("account_id", "=", accountId).where("id", "in", resellerIds).execute() : [],
  ]);
  const names = new Map<string, string>();
  for (const a of admins) names.set(`admin:${a.id}`, a.email);
  for (const r of resellers) names.set(`reseller:${r.id}`, r.name);
  return names;
}

function view(r: AuditLogTable & { id: number }, names: Map<string, string>): AuditRowView {
  const actorName = r.actor_id ? (names.get(`${r.actor_type}:${r.actor_id}`) ?? (r.actor_type === "shopify_staff" ? r.actor_id : null)) : null;
  return {
    id: Number(r.id),
    at: new Date(r.created_at as string).toISOString(),
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorName,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    details: r.details,
    ip: r.ip,
  };
}

export async function listAudit(s: Db, accountId: string, input: AuditFilterInput): Promise<AuditPage> {
  const timeZone = await accountTimeZone(s, accountId);
  const filter = parseAuditFilter(input, timeZone);
  const matched = filter.q ? await actorsMatching(s, accountId, filter.q) : [];
  const [raw, actions] = await Promise.all([
    selectRows(s, accountId, filter, filter.limit + 1, matched),
    s.db.selectFrom("audit_log").select("action").distinct().where("account_id", "=", accountId).orderBy("action").execute(),
  ]);
  const more = raw.length > filter.limit;
  const page = raw.slice(0, filter.limit) as (AuditLogTable & { id: number })[];
  const names = await resolveActors(s, accountId, page);
  return {
    timeZone,
    filter,
    rows: page.map((r) => view(r, names)),
    nextCursor: more ? String(page[page.length - 1]!.id) : null,
    actions: actions.map((a) => a.action),
  };
}

/** Every row the filter matches (newest first, in batches; no cursor), at most `cap`. */
export async function allAuditRows(s: Db, accountId: string, input: AuditFilterInput, cap = 100_000): Promise<{ timeZone: string; filter: AuditFilter; rows: AuditRowView[] }> {
  const timeZone = await accountTimeZone(s, accountId);
  const filter = { ...parseAuditFilter({ ...input, cursor: null, limit: null }, timeZone) };
  const matched = filter.q ? await actorsMatching(s, accountId, filter.q) : [];
  const rows: AuditRowView[] = [];
  for (;;) {
    const batch = (await selectRows(s, accountId, filter, Math.min(1000, cap - rows.length), matched)) as (AuditLogTable & { id: number })[];
    const names = await resolveActors(s, accountId, batch);
    rows.push(...batch.map((r) => view(r, names)));
    if (batch.length < 1000 || rows.length >= cap) break;
    filter.before = Number(batch[batch.length - 1]!.id);
  }
  return { timeZone, filter, rows };
}

/** A local date-time for the CSV and the CLI: "2026-12-07 18:30:05" in the account's time zone. */
export function localDateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("sv-SE", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

export const AUDIT_CSV_HEADER = ["id", "time", "time_zone", "actor_type", "actor_id", "actor", "action", "subject_type", "subject_id", "ip", "details"];

/** The rows as CSV: UTF-8 with a BOM (Excel reads the Chinese), every cell formula-safe. */
export function auditCsv(rows: AuditRowView[], timeZone: string): string {
  const lines = [csvLine(AUDIT_CSV_HEADER)];
  for (const r of rows) lines.push(csvLine([r.id, localDateTime(r.at, timeZone), timeZone, r.actorType, r.actorId, r.actorName, r.action, r.subjectType, r.subjectId, r.ip, r.details]));
  return "\uFEFF" + lines.join("\r\n") + "\r\n";
}

export interface AuditExportActor {
  type: AuditLogTable["actor_type"];
  id?: string | null;
  ip?: string | null;
}

/** The export, audited (the filter it used, the row count; the row itself is written after the read). */
export async function exportAuditCsv(s: Db, accountId: string, input: AuditFilterInput, actor: AuditExportActor): Promise<{ csv: string; count: number; filter: AuditFilter }> {
  const { timeZone, filter, rows } = await allAuditRows(s, accountId, input);
  const csv = auditCsv(rows, timeZone);
  await recordAudit(s.db, {
    accountId,
    actorType: actor.type,
    actorId: actor.id ?? null,
    action: "audit.exported",
    subjectType: "audit_log",
    details: { rows: rows.length, actorType: filter.actorType, action: filter.action, from: filter.from, to: filter.to, q: filter.q },
    ip: actor.ip ?? null,
  });
  return { csv, count: rows.length, filter };
}
