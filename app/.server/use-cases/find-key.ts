import { findFingerprints } from "../db/repositories/keys-repo.ts";
import type { KeyState } from "../db/schema.ts";
import { normaliseCode } from "../domain/key-code.ts";
import type { Services } from "../ports.ts";

/**
 * Finds a key by its exact code through the fingerprint — nothing is decrypted. The code is tried
 * as typed and upper-cased, covering case-sensitive and case-insensitive pools.
 */
export async function findKeyByCode(
  s: Pick<Services, "db" | "fingerprinter">,
  accountId: string,
  code: string,
): Promise<{ keyId: number; poolId: string; batchId: string; state: KeyState } | null> {
  const forms = [...new Set([normaliseCode(code, false), normaliseCode(code, true)])].filter(Boolean);
  const found = await findFingerprints(s.db, accountId, forms.map((f) => s.fingerprinter.fingerprint(f)));
  const hit = [...found.values()][0];
  if (!hit) return null;
  const row = await s.db.selectFrom("keys").select(["pool_id"]).where("id", "=", hit.keyId).executeTakeFirstOrThrow();
  return { keyId: hit.keyId, poolId: row.pool_id, batchId: hit.batchId, state: hit.state };
}
