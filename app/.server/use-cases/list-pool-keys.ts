import { decodeKeyPayload } from "../crypto/key-payload.ts";
import type { KeyState } from "../db/schema.ts";
import { maskCode } from "../domain/key-code.ts";
import type { Services } from "../ports.ts";

export interface KeyRow {
  id: number;
  state: KeyState;
  batchId: string;
  masked: string;
  createdAt: string;
}

/**
 * One page of a pool's keys, newest first, masked. Keyset paging (`beforeId`) over the
 * (pool, state, id) index: page 10,000 of a million keys costs what page 1 does, and no page
 * counts the table.
 */
export async function listPoolKeys(
  s: Pick<Services, "db" | "cipher">,
  accountId: string,
  poolId: string,
  opts: { state?: KeyState; batchId?: string; beforeId?: number; limit?: number } = {},
): Promise<{ keys: KeyRow[]; nextBeforeId: number | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  let q = s.db
    .selectFrom("keys")
    .select(["id", "state", "batch_id", "ciphertext", "key_id", "created_at"])
    .where("account_id", "=", accountId)
    .where("pool_id", "=", poolId)
    .where("state", "!=", "importing");
  if (opts.state) q = q.where("state", "=", opts.state);
  if (opts.batchId) q = q.where("batch_id", "=", opts.batchId);
  if (opts.beforeId) q = q.where("id", "<", opts.beforeId);
  const rows = await q.orderBy("id", "desc").limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    keys: page.map((r) => ({
      id: Number(r.id),
      state: r.state,
      batchId: r.batch_id,
      masked: maskCode(decodeKeyPayload(s.cipher.openString({ ciphertext: Buffer.from(r.ciphertext), keyId: r.key_id }, accountId)).code),
      createdAt: r.created_at,
    })),
    nextBeforeId: rows.length > limit ? Number(page[page.length - 1].id) : null,
  };
}
