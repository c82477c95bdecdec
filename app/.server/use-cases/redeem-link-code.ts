import { lockAccount } from "../db/repositories/accounts-repo.ts";
import { clientNetwork } from "../domain/client-network.ts";
import { hashLinkCode } from "../crypto/link-code.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findLinkCode, useLinkCode } from "../db/repositories/link-codes-repo.ts";
import { moveStoreToAccount } from "../db/repositories/store-move.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import { linkCodeState, linkRefusal, normaliseLinkCode } from "../domain/store-link.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { assertMayManageStoreLinks } from "./store-link-actor.ts";

export interface RedeemInput {
  storeId: string;
  code: string;
  /** The client's address, for the per-IP limit and the audit row; null from the CLI. */
  ip: string | null;
}

export interface LinkedStore {
  storeId: string;
  storeName: string;
  /** The account the store belongs to now. */
  accountId: string;
  accountName: string;
  /** The store's orders that came along. */
  orders: number;
}

type Deps = Pick<Services, "db" | "database" | "linkCodeLimiter">;

/**
 * "Link to an existing keyrelay account": the code made in the other account's admin moves this
 * store (its row, its orders) into that account, where the account's pools feed it. Refused, with
 * nothing changed, when the code is unknown, used or expired (one message for all three: a guesser
 * learns nothing), when attempts run over the limit, or when this store's account holds pools
 * (merging two sets of pools is not done silently). Every attempt is audited.
 */
export async function redeemLinkCode(s: Deps, accountId: string, input: RedeemInput, actor: Actor, now = new Date()): Promise<LinkedStore> {
  assertMayManageStoreLinks(actor);
  const store = await s.db.selectFrom("stores").select(["id", "name"]).where("account_id", "=", accountId).where("id", "=", input.storeId).executeTakeFirst();
  if (!store) throw new InvalidInputError("store_not_found", "no such store", { field: "storeId", params: { id: input.storeId } });
  const failed = async (reason: string, e: KeyrelayError): Promise<never> => {
    await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "store_link.failed", subjectType: "store", subjectId: store.id, details: { reason }, ip: input.ip });
    throw e;
  };

  // The attempt counts before the code is looked at: parallel guesses cannot pass a check together.
  const wait = await s.linkCodeLimiter.consume([`account:${accountId}`, ...(input.ip ? [`ip:${clientNetwork(input.ip)}`] : [])]);
  if (wait > 0) return failed("rate_limited", new InvalidInputError("link_rate_limited", "too many link attempts", { field: "code", params: { seconds: wait } }));
  const normalised = normaliseLinkCode(String(input.code ?? ""));
  const invalid = new InvalidInputError("link_code_invalid", "this link code is not valid (used, expired or mistyped)", { field: "code" });
  if (!normalised) return failed("malformed", invalid);
  const hash = hashLinkCode(normalised);

  const outcome: LinkedStore | { refused: string; error: KeyrelayError } = await s.db.transaction().execute(async (trx) => {
    // Two redemptions for this account's stores at once (or one beside a split-off) are
    // serialised, and the store is read again under the lock: it may have moved meanwhile.
    await lockAccount(trx, accountId);
    const current = await trx.selectFrom("stores").select(["id"]).where("account_id", "=", accountId).where("id", "=", store.id).executeTakeFirst();
    if (!current) return { refused: "store_moved", error: new InvalidInputError("store_not_found", "no such store", { field: "storeId", params: { id: input.storeId } }) };
    const code = await findLinkCode(trx, hash);
    if (!code) return { refused: "unknown", error: invalid };
    const state = linkCodeState(code, now);
    if (state !== "usable") return { refused: state, error: invalid };
    const pools = await trx.selectFrom("pools").select((eb) => eb.fn.countAll<number>().as("n")).where("account_id", "=", accountId).executeTakeFirstOrThrow();
    const refusal = linkRefusal({ sameAccount: code.account_id === accountId, pools: Number(pools.n) });
    if (refusal?.code === "link_same_account") return { refused: refusal.code, error: new InvalidInputError(refusal.code, "this store already belongs to that account", { field: "code" }) };
    if (refusal?.code === "account_has_pools")
      return { refused: refusal.code, error: new InvalidInputError(refusal.code, "this store's account has pools of its own: linking would merge two sets of pools", { field: "code", params: { pools: refusal.pools } }) };
    const target = await trx.selectFrom("accounts").select(["id", "name"]).where("id", "=", code.account_id).executeTakeFirstOrThrow();
    const nowIso = now.toISOString();
    if (!(await useLinkCode(trx, hash, store.id, nowIso))) return { refused: "used", error: invalid };
    const orders = await trx.selectFrom("orders").select((eb) => eb.fn.countAll<number>().as("n")).where("store_id", "=", store.id).executeTakeFirstOrThrow();
    // With no pools in the old account there are no mappings; any left would point at nothing.
    await trx.deleteFrom("product_mappings").where("account_id", "=", accountId).where("store_id", "=", store.id).execute();
    await moveStoreToAccount(trx, s.database.dialect, store.id, accountId, target.id, nowIso);
    const details = { storeName: store.name, fromAccountId: accountId, toAccountId: target.id, orders: Number(orders.n) };
    await recordAudit(trx, { accountId: target.id, actorType: actor.type, actorId: actor.id ?? null, action: "store_link.redeemed", subjectType: "store", subjectId: store.id, details, ip: input.ip });
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "store.linked_away", subjectType: "store", subjectId: store.id, details, ip: input.ip });
    return { storeId: store.id, storeName: store.name, accountId: target.id, accountName: target.name, orders: Number(orders.n) };
  });
  if ("refused" in outcome) return failed(outcome.refused, outcome.error);
  return outcome;
}
