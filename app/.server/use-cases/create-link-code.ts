import { newLinkCode } from "../crypto/link-code.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { dropUnusedLinkCodes, insertLinkCode } from "../db/repositories/link-codes-repo.ts";
import { LINK_CODE_TTL_MS } from "../domain/store-link.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { assertMayManageStoreLinks } from "./store-link-actor.ts";

export interface LinkCode {
  /** Shown once, to the admin who asked; only its hash is stored. */
  code: string;
  expiresAt: string;
}

/**
 * "Link another store": a one-time code for this account, valid 15 minutes. Typed into another
 * store's admin, it moves that store into this account. A new code replaces an unused earlier one.
 */
export async function createLinkCode(s: Pick<Services, "db">, accountId: string, actor: Actor, now = new Date()): Promise<LinkCode> {
  assertMayManageStoreLinks(actor);
  const { code, hash } = newLinkCode();
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS).toISOString();
  await s.db.transaction().execute(async (trx) => {
    await dropUnusedLinkCodes(trx, accountId);
    await insertLinkCode(trx, { hash, accountId, createdByType: actor.type, createdById: actor.id ?? null, createdAt: now.toISOString(), expiresAt });
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "store_link.code_created", details: { expiresAt } });
  });
  return { code, expiresAt };
}
