import { findResellerToken } from "../db/repositories/reseller-tokens-repo.ts";
import { ResellerApiError } from "../domain/reseller-api-error.ts";
import type { Services } from "../ports.ts";
import type { ResellerCaller } from "./authenticate-reseller.ts";
import { createResellerToken, listTokens, revokeToken, type TokenSummary } from "./manage-reseller-tokens.ts";

/**
 * A reseller's own API tokens in the portal: the merchant's token use-cases, scoped to the
 * signed-in reseller (a token of another reseller of the same account is not_found, 404) and
 * audited with the reseller as the actor. A sandbox (kr_test_) token is the reseller's own call too:
 * it never touches real keys or the balance (reseller-sandbox.ts).
 */
const actorOf = (caller: ResellerCaller) => ({ type: "reseller" as const, id: caller.reseller.id });

export function listPortalTokens(s: Pick<Services, "db">, caller: ResellerCaller): Promise<TokenSummary[]> {
  return listTokens(s, caller.reseller.account_id, caller.reseller.id);
}

export function createPortalToken(s: Pick<Services, "db">, caller: ResellerCaller, input: { name?: string | null; scopes: string; expiresAt?: string | null; sandbox?: boolean }): Promise<{ token: string; summary: TokenSummary }> {
  return createResellerToken(s, caller.reseller.account_id, { resellerId: caller.reseller.id, scopes: input.scopes, name: input.name, expiresAt: input.expiresAt || null, mode: input.sandbox ? "test" : "live" }, actorOf(caller));
}

export async function revokePortalToken(s: Pick<Services, "db">, caller: ResellerCaller, tokenId: string): Promise<TokenSummary> {
  const t = await findResellerToken(s.db, caller.reseller.account_id, tokenId);
  if (!t || t.reseller_id !== caller.reseller.id) throw new ResellerApiError("not_found", "no such token");
  return revokeToken(s, caller.reseller.account_id, tokenId, actorOf(caller));
}
