import { decodeKeyPayload, type KeyPayload } from "../crypto/key-payload.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/** Shows one key's plaintext to an admin: an explicit act, written to the audit log first. */
export async function revealKey(s: Pick<Services, "db" | "cipher">, accountId: string, keyId: number, actor: Actor & { ip?: string | null }): Promise<KeyPayload> {
  const row = await s.db
    .selectFrom("keys")
    .select(["id", "pool_id", "ciphertext", "key_id", "state"])
    .where("account_id", "=", accountId)
    .where("id", "=", keyId)
    .executeTakeFirst();
  if (!row || row.state === "importing") throw new InvalidInputError("key_not_found", "no such key", { params: { id: keyId } });
  // Audited before it is shown: a reveal that fails to be recorded does not happen.
  await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "key.revealed", subjectType: "key", subjectId: String(keyId), details: { poolId: row.pool_id, state: row.state }, ip: actor.ip ?? null });
  return decodeKeyPayload(s.cipher.openString({ ciphertext: Buffer.from(row.ciphertext), keyId: row.key_id }, accountId));
}
