import { lockAccount } from "../db/repositories/accounts-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Services } from "../ports.ts";
import { verifyAudit } from "./seal-audit.ts";

/**
 * Audit retention (setting audit.retention_days): sealed rows older than the retention are
 * deleted from the front of the account's chain, and audit_anchors records where the retained
 * chain starts (the last pruned row's hash and chain position, and how many were pruned in all),
 * so `audit verify` still proves every retained row unedited and none removed. Only a prefix of
 * the chain goes, and only sealed rows: an unsealed row is never pruned, nor is anything after a
 * row that must stay. A chain that does not verify is not pruned (pruning would hide the damage).
 * The pruning itself is an audit row, audit.pruned, with the count.
 */

/** How often the worker prunes (scripts/start.ts): the retention is counted in days. */
export const AUDIT_PRUNE_INTERVAL_MS = 6 * 60 * 60_000;
const BATCH = 500;
const DAY_MS = 86_400_000;

export interface PruneResult {
  accountId: string;
  /** null: no retention set, nothing pruned. */
  retentionDays: number | null;
  pruned: number;
  /** Rows created before this were eligible. */
  before: string | null;
  /** Set when the chain did not verify: nothing was pruned. */
  refused?: "chain_not_intact";
}

export async function pruneAudit(
  s: Pick<Services, "db">,
  opts: { accountId?: string; now?: Date; actor?: { type: "system" | "cli"; id?: string | null } } = {},
): Promise<PruneResult[]> {
  let q = s.db.selectFrom("accounts").select(["id", "audit_retention_days"]).orderBy("created_at");
  q = opts.accountId ? q.where("id", "=", opts.accountId) : q.where("audit_retention_days", "is not", null);
  const accounts = await q.execute();
  const results: PruneResult[] = [];
  for (const a of accounts) results.push(await pruneAccount(s, a.id, a.audit_retention_days === null ? null : Number(a.audit_retention_days), opts.now ?? new Date(), opts.actor ?? { type: "system" }));
  return results;
}

async function pruneAccount(s: Pick<Services, "db">, accountId: string, days: number | null, now: Date, actor: { type: "system" | "cli"; id?: string | null }): Promise<PruneResult> {
  if (days === null) return { accountId, retentionDays: null, pruned: 0, before: null };
  const before = new Date(now.getTime() - days * DAY_MS);
  const base = { accountId, retentionDays: days, before: before.toISOString() };
  if (!(await verifyAudit(s, accountId)).ok) return { ...base, pruned: 0, refused: "chain_not_intact" };
  let total = 0;
  for (;;) {
    const n = await s.db.transaction().execute(async (trx) => {
      // Two prunes of one account (a worker and the CLI) take turns.
      await lockAccount(trx, accountId);
      const anchor = await trx.selectFrom("audit_anchors").selectAll().where("account_id", "=", accountId).executeTakeFirst();
      const entries = await trx
        .selectFrom("audit_chain")
        .leftJoin("audit_log", "audit_log.id", "audit_chain.audit_id")
        .select(["audit_chain.id as seq", "audit_chain.audit_id", "audit_chain.row_hash", "audit_log.created_at"])
        .where("audit_chain.account_id", "=", accountId)
        .where("audit_chain.id", ">", Number(anchor?.last_seq ?? 0))
        .orderBy("audit_chain.id")
        .limit(BATCH)
        .execute();
      // The front of the chain, up to the first row that must stay.
      const prefix: typeof entries = [];
      for (const e of entries) {
        if (e.created_at === null || new Date(e.created_at as string).getTime() >= before.getTime()) break;
        prefix.push(e);
      }
      const last = prefix[prefix.length - 1];
      if (last) {
        for (let i = 0; i < prefix.length; i += 100) {
          const part = prefix.slice(i, i + 100);
          await trx.deleteFrom("audit_log").where("id", "in", part.map((e) => Number(e.audit_id))).execute();
          await trx.deleteFrom("audit_chain").where("id", "in", part.map((e) => Number(e.seq))).execute();
        }
        const values = { last_seq: Number(last.seq), last_hash: last.row_hash, pruned_rows: Number(anchor?.pruned_rows ?? 0) + prefix.length, pruned_at: now.toISOString() };
        if (anchor) await trx.updateTable("audit_anchors").set(values).where("account_id", "=", accountId).execute();
        else await trx.insertInto("audit_anchors").values({ account_id: accountId, ...values }).execute();
      }
      const done = prefix.length < BATCH;
      if (done && total + prefix.length > 0) {
        const head = last ?? anchor;
        await recordAudit(trx, {
          accountId,
          actorType: actor.type,
          actorId: actor.id ?? null,
          action: "audit.pruned",
          subjectType: "account",
          subjectId: accountId,
          details: { count: total + prefix.length, retentionDays: days, before: before.toISOString(), anchorHash: last ? last.row_hash : anchor?.last_hash, anchorSeq: Number(head && "seq" in head ? head.seq : (anchor?.last_seq ?? 0)) },
          ip: null,
        });
      }
      return prefix.length;
    });
    total += n;
    if (n < BATCH) break;
  }
  return { ...base, pruned: total };
}

/** What the Audit log page says about retention: the setting, and how many rows were pruned when. */
export async function auditRetentionOf(s: Pick<Services, "db">, accountId: string): Promise<{ days: number | null; pruned: number; prunedAt: string | null }> {
  const a = await s.db.selectFrom("accounts").select("audit_retention_days").where("id", "=", accountId).executeTakeFirst();
  const anchor = await s.db.selectFrom("audit_anchors").select(["pruned_rows", "pruned_at"]).where("account_id", "=", accountId).executeTakeFirst();
  const at = anchor?.pruned_at as unknown;
  return { days: a?.audit_retention_days == null ? null : Number(a.audit_retention_days), pruned: Number(anchor?.pruned_rows ?? 0), prunedAt: at ? new Date(at as string).toISOString() : null };
}
