import { findTokenByPrefix, touchToken } from "../db/repositories/reseller-tokens-repo.ts";
import { findReseller } from "../db/repositories/resellers-repo.ts";
import type { Reseller } from "../db/schema.ts";
import { parseToken, tokenMatches, type TokenMode } from "../crypto/reseller-token.ts";
import { ipAllowed } from "../domain/ip-allow-list.ts";
import { ResellerApiError } from "../domain/reseller-api-error.ts";
import { hasScope, type ResellerScope } from "../domain/reseller-scopes.ts";
import type { Services } from "../ports.ts";

export interface ResellerCaller {
  reseller: Reseller;
  /** The API token the call came with; null in the portal (a signed-in reseller user instead). */
  tokenId: string | null;
  /** The portal's signed-in reseller user (use-cases/reseller-portal-session.ts); null over the API. */
  portalUserId?: string | null;
  mode: TokenMode;
  scopes: string[];
}

/** A caller of the REST API: always a token. */
export type ApiCaller = ResellerCaller & { tokenId: string };

/** Who acted, for an audit row's details: the token over the API, the portal user in the portal. */
export function callerRef(caller: ResellerCaller): { tokenId: string } | { portalUserId: string } | Record<string, never> {
  if (caller.tokenId) return { tokenId: caller.tokenId };
  if (caller.portalUserId) return { portalUserId: caller.portalUserId };
  return {};
}

/**
 * Who calls the reseller API: the bearer token's reseller, checked in this order —
 * missing / malformed / unknown / wrong (401 unauthorized), revoked (401), expired (401), then the
 * address against the token's allow list (403), the reseller suspended (403), the route's scope
 * (403). The token is never logged or echoed; the answer names only what failed.
 */
export async function authenticateReseller(s: Pick<Services, "db">, authorization: string | null, ip: string, scope: ResellerScope, now = new Date()): Promise<ApiCaller> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const token = m?.[1];
  const parsed = token ? parseToken(token) : null;
  const row = parsed ? await findTokenByPrefix(s.db, parsed.prefix) : undefined;
  if (!token || !row || !tokenMatches(token, row.token_hash)) throw new ResellerApiError("unauthorized", "a valid API token is required (Authorization: Bearer kr_live_…)");
  if (row.revoked_at) throw new ResellerApiError("token_revoked", "this API token was revoked");
  if (row.expires_at && new Date(row.expires_at).getTime() <= now.getTime()) throw new ResellerApiError("token_expired", "this API token has expired");
  if (!ipAllowed(row.ip_allow ? (JSON.parse(row.ip_allow) as string[]) : null, ip)) throw new ResellerApiError("ip_not_allowed", "this API token may not be used from this address");
  const reseller = await findReseller(s.db, row.account_id, row.reseller_id);
  if (!reseller) throw new ResellerApiError("unauthorized", "a valid API token is required");
  if (reseller.status !== "active") throw new ResellerApiError("reseller_suspended", "this reseller account is suspended");
  const scopes = row.scopes.split(" ").filter(Boolean);
  if (!hasScope(scopes, scope)) throw new ResellerApiError("scope_missing", `this API token lacks the ${scope} scope`, { params: { scope } });
  await touchToken(s.db, row.id, now);
  return { reseller, tokenId: row.id, mode: row.mode, scopes };
}
