import { AccountScope } from "../db/repositories/account-scope.ts";
import { readAccountSettings } from "../db/repositories/account-settings-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { listBatches } from "../db/repositories/key-batches-repo.ts";
import { insertPool, poolKeyCounts, setPoolArchived, updatePool, type PoolFields } from "../db/repositories/pools-repo.ts";
import type { AuditLogTable, KeyBatch, KeyState, Pool } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { PoolInput, PoolPatch, toMinorUnits, type PoolInputValues } from "../domain/pool-input.ts";
import type { Services } from "../ports.ts";
import { refreshLowStock } from "./refresh-low-stock.ts";

export interface Actor {
  type: AuditLogTable["actor_type"];
  id?: string | null;
}

export interface PoolSummary {
  id: string;
  name: string;
  sku: string | null;
  lowStockThreshold: number;
  lowStock: boolean;
  archived: boolean;
  counts: Record<"available" | "allocated" | "delivered" | "expired" | "revoked" | "returned" | "void", number>;
}

function parsePoolInput(raw: unknown, partial: boolean): Partial<PoolInputValues> {
  const schema = partial ? PoolPatch : PoolInput;
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const code = /^pool_/.test(issue.message) ? issue.message : "invalid_input";
    throw new InvalidInputError(code, issue.message, { field: String(issue.path[0] ?? ""), params: { detail: String(issue.path[0] ?? "") } });
  }
  return r.data;
}

function toFields(v: Partial<PoolInputValues>): Partial<PoolFields> {
  const out: Partial<PoolFields> = {};
  if (v.name !== undefined) out.name = v.name;
  if (v.sku !== undefined) out.sku = v.sku;
  if (v.notes !== undefined) out.notes = v.notes;
  if (v.lowStockThreshold !== undefined) out.low_stock_threshold = v.lowStockThreshold;
  if (v.defaultCost !== undefined) out.default_cost_minor = v.defaultCost === null ? null : toMinorUnits(v.defaultCost);
  if (v.currency !== undefined) out.currency = v.currency;
  if (v.formatRegex !== undefined) out.format_regex = v.formatRegex;
  if (v.caseInsensitive !== undefined) out.case_insensitive = v.caseInsensitive ? 1 : 0;
  if (v.refundPolicy !== undefined) out.refund_policy = v.refundPolicy;
  if (v.revealOnClick !== undefined) out.reveal_on_click = v.revealOnClick ? 1 : 0;
  if (v.deliveryTemplate !== undefined) out.delivery_template = v.deliveryTemplate;
  return out;
}

export async function createPool(s: Pick<Services, "db">, accountId: string, raw: unknown, actor: Actor): Promise<Pool> {
  // No threshold given: the account's default for new pools (settings low_stock.threshold).
  const given = typeof raw === "object" && raw !== null && (raw as { lowStockThreshold?: unknown }).lowStockThreshold !== undefined;
  const input = given ? raw : { ...(raw as object), lowStockThreshold: (await readAccountSettings(s.db, accountId))?.["low_stock.threshold"] ?? 0 };
  const fields = toFields(parsePoolInput(input, false)) as PoolFields;
  return s.db.transaction().execute(async (trx) => {
    const pool = await insertPool(trx, accountId, fields);
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "pool.created", subjectType: "pool", subjectId: pool.id, details: { name: pool.name } });
    return pool;
  });
}

export async function editPool(s: Pick<Services, "db" | "jobs">, accountId: string, poolId: string, raw: unknown, actor: Actor): Promise<Pool> {
  const fields = toFields(parsePoolInput(raw, true));
  const changed = await updatePool(s.db, accountId, poolId, fields);
  if (!changed) throw new InvalidInputError("pool_not_found", "no such pool", { params: { id: poolId } });
  await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "pool.updated", subjectType: "pool", subjectId: poolId, details: { fields: Object.keys(fields) } });
  // A new threshold may cross the current stock either way.
  if (fields.low_stock_threshold !== undefined) await refreshLowStock(s, accountId, poolId);
  return (await new AccountScope(s.db, accountId).getPool(poolId))!;
}

/** Archiving hides a pool and stops new imports; it never deletes keys (delivered keys are records). */
export async function archivePool(s: Pick<Services, "db">, accountId: string, poolId: string, archived: boolean, actor: Actor): Promise<void> {
  if (!(await setPoolArchived(s.db, accountId, poolId, archived))) throw new InvalidInputError("pool_not_found", "no such pool", { params: { id: poolId } });
  await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: archived ? "pool.archived" : "pool.unarchived", subjectType: "pool", subjectId: poolId });
}

function summarise(p: Pool, counts: Partial<Record<KeyState, number>>): PoolSummary {
  return {
    id: p.id,
    name: p.name,
    sku: p.sku,
    lowStockThreshold: p.low_stock_threshold,
    lowStock: p.low_stock_alerted_at !== null,
    archived: p.archived_at !== null,
    counts: {
      available: counts.available ?? 0,
      allocated: counts.allocated ?? 0,
      delivered: counts.delivered ?? 0,
      expired: counts.expired ?? 0,
      revoked: counts.revoked ?? 0,
      returned: counts.returned ?? 0,
      void: counts.void ?? 0,
    },
  };
}

export async function listPoolSummaries(s: Pick<Services, "db">, accountId: string, opts: { includeArchived?: boolean } = {}): Promise<PoolSummary[]> {
  const pools = await new AccountScope(s.db, accountId).listPools(opts);
  const counts = await poolKeyCounts(s.db, accountId, pools.map((p) => p.id));
  return pools.map((p) => summarise(p, counts.get(p.id) ?? {}));
}

export interface PoolDetail {
  pool: Pool;
  summary: PoolSummary;
  batches: Pick<KeyBatch, "id" | "supplier" | "notes" | "source_name" | "key_count" | "cost_minor" | "currency" | "expires_at" | "voided_at" | "created_at">[];
}

export async function getPoolDetail(s: Pick<Services, "db">, accountId: string, poolId: string): Promise<PoolDetail> {
  const pool = await new AccountScope(s.db, accountId).getPool(poolId);
  if (!pool) throw new InvalidInputError("pool_not_found", "no such pool", { params: { id: poolId } });
  const counts = await poolKeyCounts(s.db, accountId, [poolId]);
  const batches = await listBatches(s.db, accountId, poolId);
  return { pool, summary: summarise(pool, counts.get(poolId) ?? {}), batches };
}
