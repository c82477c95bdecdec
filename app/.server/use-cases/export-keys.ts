import { decodeKeyPayload } from "../crypto/key-payload.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { KeyState } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { maskCode } from "../domain/key-code.ts";
import { csvLine } from "../domain/spreadsheet-safety.ts";
import type { Services } from "../ports.ts";
import { AccountScope } from "../db/repositories/account-scope.ts";
import type { Actor } from "./manage-pools.ts";

export interface ExportOptions {
  poolId: string;
  state?: KeyState;
  batchId?: string;
  /** Plaintext codes: an explicit, audited choice. Otherwise codes are masked. */
  plaintext?: boolean;
}

const PAGE = 1_000;

/**
 * Streams a pool's keys as CSV lines (header first), oldest first, in pages, so a million-key
 * export never sits in memory. Every cell is neutralised against spreadsheet formula injection.
 */
export async function* exportKeys(s: Pick<Services, "db" | "cipher">, accountId: string, opts: ExportOptions, actor: Actor & { ip?: string | null }): AsyncGenerator<string> {
  const pool = await new AccountScope(s.db, accountId).getPool(opts.poolId);
  if (!pool) throw new InvalidInputError("pool_not_found", "no such pool", { params: { id: opts.poolId } });
  await recordAudit(s.db, {
    accountId,
    actorType: actor.type,
    actorId: actor.id ?? null,
    action: opts.plaintext ? "keys.exported_plaintext" : "keys.exported",
    subjectType: "pool",
    subjectId: opts.poolId,
    details: { state: opts.state ?? null, batchId: opts.batchId ?? null },
    ip: actor.ip ?? null,
  });
  const fieldNames = new Set<string>();
  let afterId = 0;
  let header = false;
  for (;;) {
    let q = s.db
      .selectFrom("keys")
      .select(["id", "state", "batch_id", "ciphertext", "key_id", "cost_minor", "expires_at", "created_at"])
      .where("account_id", "=", accountId)
      .where("pool_id", "=", opts.poolId)
      .where("state", "!=", "importing")
      .where("id", ">", afterId);
    if (opts.state) q = q.where("state", "=", opts.state);
    if (opts.batchId) q = q.where("batch_id", "=", opts.batchId);
    const rows = await q.orderBy("id").limit(PAGE).execute();
    const decoded = rows.map((r) => ({ r, p: decodeKeyPayload(s.cipher.openString({ ciphertext: Buffer.from(r.ciphertext), keyId: r.key_id }, accountId)) }));
    if (!header) {
      // Extra field columns come from the first page (a pool's keys share a shape).
      for (const d of decoded) for (const f of Object.keys(d.p.fields)) fieldNames.add(f);
      yield csvLine(["id", "code", ...fieldNames, "state", "batch", "cost_minor", "expires_at", "created_at"]) + "\n";
      header = true;
    }
    let out = "";
    for (const { r, p } of decoded) {
      const show = (v: string) => (opts.plaintext ? v : maskCode(v));
      out += csvLine([Number(r.id), show(p.code), ...[...fieldNames].map((f) => (p.fields[f] === undefined ? "" : show(p.fields[f]))), r.state, r.batch_id, r.cost_minor, r.expires_at, r.created_at]) + "\n";
    }
    if (out) yield out;
    if (rows.length < PAGE) return;
    afterId = Number(rows[rows.length - 1].id);
  }
}
