import { decodeKeyPayload, type KeyPayload } from "../crypto/key-payload.ts";
import { transitionKeys } from "../db/repositories/allocations-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/**
 * Shows one key's plaintext to an admin: an explicit act, written to the audit log first. With
 * `within.orderId` (the order page) only a key one of that order's live allocations holds is shown,
 * so a role that may reveal only within an order cannot name any other key of the account — not
 * even one the order held once: a refunded unit keeps its key id, and under "return if unseen"
 * that key may since have been sold to someone else.
 *
 * A revealed key has been seen (by a person, outside keyrelay): an allocated one is marked
 * `delivered` before it is shown, as a channel does before it sends, so a refund revokes it
 * instead of putting it back on sale.
 */
export async function revealKey(
  s: Pick<Services, "db" | "cipher">,
  accountId: string,
  keyId: number,
  actor: Actor & { ip?: string | null },
  within?: { orderId: string },
): Promise<KeyPayload> {
  const read = () => {
    let q = s.db
      .selectFrom("keys")
      .select(["keys.id", "keys.pool_id", "keys.ciphertext", "keys.key_id", "keys.state"])
      .where("keys.account_id", "=", accountId)
      .where("keys.id", "=", keyId);
    if (within) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom("allocations")
            .innerJoin("order_lines", "order_lines.id", "allocations.order_line_id")
            .select("allocations.id")
            .whereRef("allocations.key_id", "=", "keys.id")
            .where("allocations.account_id", "=", accountId)
            // Only a unit that still holds it: revoked, returned and dropped units keep key_id.
            .where("allocations.status", "=", "allocated")
            .where("order_lines.order_id", "=", within.orderId),
        ),
      );
    }
    return q.executeTakeFirst();
  };
  let row = await read();
  const stateBefore = row?.state;
  if (!row || row.state === "importing") throw new InvalidInputError("key_not_found", "no such key", { params: { id: keyId } });
  // Marked seen before anything is shown. Lost to a refund that returned it a moment earlier: read
  // again (within an order it is then no longer this order's key).
  if (row.state === "allocated" && (await transitionKeys(s.db, [Number(row.id)], "deliver", new Date().toISOString())).length === 0) row = await read();
  if (!row || row.state === "importing") throw new InvalidInputError("key_not_found", "no such key", { params: { id: keyId } });
  // Audited before it is shown: a reveal that fails to be recorded does not happen.
  await recordAudit(s.db, {
    accountId,
    actorType: actor.type,
    actorId: actor.id ?? null,
    action: "key.revealed",
    subjectType: "key",
    subjectId: String(keyId),
    details: { poolId: row.pool_id, state: stateBefore ?? row.state, ...(within ? { orderId: within.orderId } : {}) },
    ip: actor.ip ?? null,
  });
  return decodeKeyPayload(s.cipher.openString({ ciphertext: Buffer.from(row.ciphertext), keyId: row.key_id }, accountId));
}
