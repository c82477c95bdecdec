import crypto from "node:crypto";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findResellerToken, insertResellerToken, listResellerTokens, revokeResellerToken } from "../db/repositories/reseller-tokens-repo.ts";
import type { ResellerToken } from "../db/schema.ts";
import { generateToken, type TokenMode } from "../crypto/reseller-token.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { parseAllowList } from "../domain/ip-allow-list.ts";
import { parseScopes, type ResellerScope } from "../domain/reseller-scopes.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";
import { requireReseller } from "./manage-resellers.ts";

export interface TokenSummary {
  id: string;
  resellerId: string;
  prefix: string | null;
  mode: TokenMode;
  name: string | null;
  scopes: ResellerScope[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  ipAllow: string[] | null;
  createdAt: string;
}

export function tokenSummary(t: ResellerToken): TokenSummary {
  return {
    id: t.id,
    resellerId: t.reseller_id,
    prefix: t.prefix,
    mode: t.mode,
    name: t.name,
    scopes: t.scopes.split(" ").filter(Boolean) as ResellerScope[],
    expiresAt: t.expires_at,
    lastUsedAt: t.last_used_at,
    revokedAt: t.revoked_at,
    ipAllow: t.ip_allow ? (JSON.parse(t.ip_allow) as string[]) : null,
    createdAt: t.created_at,
  };
}

/**
 * A new API token for the reseller. The token is in the answer once and nowhere else: only its
 * SHA-256 and its visible prefix are stored, and the audit row names the prefix.
 */
export async function createResellerToken(
  s: Pick<Services, "db">,
  accountId: string,
  input: { resellerId: string; scopes: string; mode?: TokenMode; name?: string | null; expiresAt?: string | null; ipAllow?: string[] },
  actor: Actor,
): Promise<{ token: string; summary: TokenSummary }> {
  const reseller = await requireReseller(s, accountId, input.resellerId);
  const scopes = parseScopes(input.scopes);
  if ("unknown" in scopes) throw new InvalidInputError("reseller_scope", `scopes: unknown scope ${scopes.unknown || "(none)"}`, { field: "scopes", params: { scope: scopes.unknown } });
  let expiresAt: string | null = null;
  if (input.expiresAt) {
    const d = new Date(input.expiresAt);
    if (Number.isNaN(d.getTime()) || d.getTime() <= Date.now()) throw new InvalidInputError("reseller_token_expiry", "expires: a future date and time", { field: "expires" });
    expiresAt = d.toISOString();
  }
  let ipAllow: string[] | null = null;
  if (input.ipAllow?.length) {
    const parsed = parseAllowList(input.ipAllow);
    if ("invalid" in parsed) throw new InvalidInputError("reseller_ip_allow", `ip-allow: not an address or range: ${parsed.invalid}`, { field: "ipAllow", params: { value: parsed.invalid } });
    ipAllow = parsed.ranges;
  }
  const mode = input.mode ?? "live";
  const made = generateToken(mode);
  const now = new Date().toISOString();
  const id = crypto.randomUUID();
  const row = {
    id,
    account_id: accountId,
    reseller_id: reseller.id,
    token_hash: made.hash,
    scopes: scopes.scopes.join(" "),
    last_used_at: null,
    revoked_at: null,
    created_at: now,
    prefix: made.prefix,
    mode,
    name: input.name?.trim() || null,
    expires_at: expiresAt,
    ip_allow: ipAllow ? JSON.stringify(ipAllow) : null,
  };
  await s.db.transaction().execute(async (trx) => {
    await insertResellerToken(trx, row);
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: "reseller.token_created", subjectType: "reseller_token", subjectId: id, details: { resellerId: reseller.id, prefix: made.prefix, scopes: scopes.scopes, mode, expiresAt } });
  });
  return { token: made.token, summary: tokenSummary(row) };
}

/** Revokes the account's token; given `resellerId` (a reseller's page), only that reseller's. */
export async function revokeToken(s: Pick<Services, "db">, accountId: string, tokenId: string, actor: Actor, opts: { resellerId?: string } = {}): Promise<TokenSummary> {
  return s.db.transaction().execute(async (trx) => {
    const t = await findResellerToken(trx, accountId, tokenId);
    if (!t || (opts.resellerId !== undefined && t.reseller_id !== opts.resellerId)) throw new InvalidInputError("reseller_token_not_found", "no such token in this account", { field: "id", params: { id: tokenId } });
    if (await revokeResellerToken(trx, accountId, tokenId, new Date().toISOString())) {
      await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id, action: "reseller.token_revoked", subjectType: "reseller_token", subjectId: tokenId, details: { resellerId: t.reseller_id, prefix: t.prefix } });
    }
    return tokenSummary((await findResellerToken(trx, accountId, tokenId))!);
  });
}

export async function listTokens(s: Pick<Services, "db">, accountId: string, resellerId: string): Promise<TokenSummary[]> {
  await requireReseller(s, accountId, resellerId);
  return (await listResellerTokens(s.db, accountId, resellerId)).map(tokenSummary);
}
