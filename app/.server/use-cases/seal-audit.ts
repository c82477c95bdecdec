import { GENESIS, rowHash, type ChainRow } from "../crypto/audit-chain.ts";
import type { Services } from "../ports.ts";

/**
 * Tamper evidence for the audit log without touching the order path: recordAudit stays one
 * INSERT, and this sealer (a periodic task on the worker, and `audit verify` first) takes the
 * unsealed rows in id order and appends them to each account's hash chain. Rows younger than
 * SETTLE_MS wait: a transaction that took its id earlier may still be committing, and a row the
 * sealer skipped would look inserted out of order.
 */

export const SETTLE_MS = 5_000;
/** How often the worker seals (scripts/start.ts). */
export const AUDIT_SEAL_INTERVAL_MS = 30_000;
const BATCH = 500;

type Db = Pick<Services, "db">;

export async function sealAudit(s: Db, opts: { now?: Date; maxBatches?: number } = {}): Promise<{ sealed: number }> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - SETTLE_MS).toISOString();
  let sealed = 0;
  for (let b = 0; b < (opts.maxBatches ?? 100); b++) {
    const n = await s.db.transaction().execute(async (trx) => {
      const rows = (await trx
        .selectFrom("audit_log")
        .leftJoin("audit_chain", "audit_chain.audit_id", "audit_log.id")
        .selectAll("audit_log")
        .where("audit_chain.id", "is", null)
        .where("audit_log.created_at", "<=", cutoff)
        .orderBy("audit_log.id")
        .limit(BATCH)
        .execute()) as unknown as ChainRow[];
      if (rows.length === 0) return 0;
      const accounts = [...new Set(rows.map((r) => r.account_id))];
      const heads = new Map((await trx.selectFrom("audit_seals").selectAll().where("account_id", "in", accounts).execute()).map((h) => [h.account_id, { hash: h.last_hash, rows: Number(h.sealed_rows), known: true }]));
      const links = rows.map((r) => {
        const head = heads.get(r.account_id) ?? { hash: GENESIS, rows: 0, known: false };
        const hash = rowHash(head.hash, r);
        heads.set(r.account_id, { hash, rows: head.rows + 1, known: head.known });
        return { audit_id: Number(r.id), account_id: r.account_id, prev_hash: head.hash, row_hash: hash };
      });
      // One statement for the batch (a round trip per audit row cost the worker ~2 per order).
      // Both databases number a multi-row VALUES list's rows in list order, so the chain's ids
      // keep the audit rows' order.
      await trx.insertInto("audit_chain").values(links).execute();
      const at = new Date().toISOString();
      for (const [accountId, h] of heads) {
        if (!accounts.includes(accountId)) continue;
        if (h.known) await trx.updateTable("audit_seals").set({ last_hash: h.hash, sealed_rows: h.rows, sealed_at: at }).where("account_id", "=", accountId).execute();
        else await trx.insertInto("audit_seals").values({ account_id: accountId, last_hash: h.hash, sealed_rows: h.rows, sealed_at: at }).execute();
      }
      return rows.length;
    });
    sealed += n;
    if (n < BATCH) break;
  }
  return { sealed };
}

export type AuditProblem =
  | { kind: "edited"; auditId: number; seq: number }
  | { kind: "removed"; auditId: number; seq: number }
  | { kind: "chain_broken"; auditId: number; seq: number }
  | { kind: "inserted_out_of_order"; auditId: number }
  | { kind: "head_mismatch" };

export interface AuditVerification {
  accountId: string;
  ok: boolean;
  sealedRows: number;
  /** Of sealedRows, how many were pruned by the retention setting (the chain is checked from their anchor). */
  prunedRows: number;
  /** Rows written after the last seal (or within the settle window): not checked yet, not tampering. */
  notYetSealed: number;
  /** The first problem in chain order, then how many there are in all. */
  firstProblem: AuditProblem | null;
  problems: number;
}

/**
 * Recomputes an account's chain from the rows as they are now: from the genesis hash, or, once
 * rows were pruned (prune-audit.ts), from the anchor (the last pruned row's hash and position).
 */
export async function verifyAudit(s: Db, accountId: string, opts: { now?: Date } = {}): Promise<AuditVerification> {
  const head = await s.db.selectFrom("audit_seals").selectAll().where("account_id", "=", accountId).executeTakeFirst();
  const anchor = await s.db.selectFrom("audit_anchors").selectAll().where("account_id", "=", accountId).executeTakeFirst();
  const problems: AuditProblem[] = [];
  let prev = anchor?.last_hash ?? GENESIS;
  const pruned = Number(anchor?.pruned_rows ?? 0);
  let count = pruned;
  let lastSeq = Number(anchor?.last_seq ?? 0);
  for (;;) {
    const chain = await s.db.selectFrom("audit_chain").selectAll().where("account_id", "=", accountId).where("id", ">", lastSeq).orderBy("id").limit(1000).execute();
    if (chain.length === 0) break;
    const rows = new Map(
      ((await s.db
        .selectFrom("audit_log")
        .selectAll()
        .where("id", "in", chain.map((c) => Number(c.audit_id)))
        .execute()) as unknown as ChainRow[]).map((r) => [Number(r.id), r]),
    );
    for (const c of chain) {
      const seq = Number(c.id);
      const auditId = Number(c.audit_id);
      const row = rows.get(auditId);
      if (c.prev_hash !== prev) problems.push({ kind: "chain_broken", auditId, seq });
      if (!row || row.account_id !== accountId) problems.push({ kind: "removed", auditId, seq });
      else if (rowHash(c.prev_hash, row) !== c.row_hash) problems.push({ kind: "edited", auditId, seq });
      prev = c.row_hash;
      count++;
      lastSeq = seq;
    }
  }
  if (head && (head.last_hash !== prev || Number(head.sealed_rows) !== count)) problems.push({ kind: "head_mismatch" });
  // Unsealed rows: new ones wait for the sealer; one older than the last seal (less the settle
  // window) should have been sealed then, so it was written behind the chain's back.
  const unsealed = await s.db
    .selectFrom("audit_log")
    .leftJoin("audit_chain", "audit_chain.audit_id", "audit_log.id")
    .select(["audit_log.id", "audit_log.created_at"])
    .where("audit_log.account_id", "=", accountId)
    .where("audit_chain.id", "is", null)
    .orderBy("audit_log.id")
    .execute();
  const sealedUpTo = head ? new Date(new Date(head.sealed_at as string).getTime() - SETTLE_MS) : null;
  let notYetSealed = 0;
  for (const u of unsealed) {
    if (sealedUpTo && new Date(u.created_at as string) < sealedUpTo) problems.push({ kind: "inserted_out_of_order", auditId: Number(u.id) });
    else notYetSealed++;
  }
  void opts;
  return { accountId, ok: problems.length === 0, sealedRows: count, prunedRows: pruned, notYetSealed, firstProblem: problems[0] ?? null, problems: problems.length };
}
