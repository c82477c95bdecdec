import type { ResellerToken, ResellerTokensTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";
import { iso } from "./resellers-repo.ts";

export async function insertResellerToken(db: Executor, t: ResellerTokensTable): Promise<void> {
  await db.insertInto("reseller_tokens").values(t).execute();
}

/** The token row its visible prefix names (any account: the token itself is the credential). */
export async function findTokenByPrefix(db: Executor, prefix: string): Promise<ResellerToken | undefined> {
  const r = await db.selectFrom("reseller_tokens").selectAll().where("prefix", "=", prefix).executeTakeFirst();
  return r && normalise(r);
}

export async function listResellerTokens(db: Executor, accountId: string, resellerId: string): Promise<ResellerToken[]> {
  const rows = await db.selectFrom("reseller_tokens").selectAll().where("account_id", "=", accountId).where("reseller_id", "=", resellerId).orderBy("created_at", "desc").execute();
  return rows.map(normalise);
}

export async function findResellerToken(db: Executor, accountId: string, id: string): Promise<ResellerToken | undefined> {
  const r = await db.selectFrom("reseller_tokens").selectAll().where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  return r && normalise(r);
}

/** Revokes this account's token; false when there is no such live token. */
export async function revokeResellerToken(db: Executor, accountId: string, id: string, now: string): Promise<boolean> {
  const r = await db.updateTable("reseller_tokens").set({ revoked_at: now }).where("account_id", "=", accountId).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records use at most once a minute per token: a busy integration does not write on every call. */
export async function touchToken(db: Executor, id: string, now: Date): Promise<void> {
  const before = new Date(now.getTime() - 60_000).toISOString();
  await db
    .updateTable("reseller_tokens")
    .set({ last_used_at: now.toISOString() })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", before)]))
    .execute();
}

function normalise(r: ResellerToken): ResellerToken {
  const opt = (v: string | null) => (v === null ? null : iso(v));
  return { ...r, token_hash: Buffer.from(r.token_hash), created_at: iso(r.created_at), last_used_at: opt(r.last_used_at), revoked_at: opt(r.revoked_at), expires_at: opt(r.expires_at) };
}
