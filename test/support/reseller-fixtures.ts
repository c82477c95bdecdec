import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { createReseller, setResellerPrice } from "../../app/.server/use-cases/manage-resellers.ts";
import { changeResellerBalance } from "../../app/.server/use-cases/reseller-balance.ts";
import { createResellerToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import { stockPool } from "./fulfilment-fixtures.ts";
import type { TestServices } from "./test-services.ts";

export const cli = { type: "cli" as const };
export const ALL_SCOPES = "catalog:read,orders:read,orders:write,balance:read,webhooks:write";

export interface ResellerSetup {
  accountId: string;
  poolId: string;
  resellerId: string;
  token: string;
}

/** An account with a pool of `stock` keys (prefix-0001…), a reseller priced at `price` with `topup` on its balance and a token with every scope. */
export async function makeReseller(
  s: TestServices,
  opts: { stock?: number; prefix?: string; price?: string; topup?: string; accountId?: string; poolId?: string; scopes?: string; limits?: { maxUnitsPerOrder?: number; maxUnitsPerDay?: number; ratePerSecond?: number; rateBurst?: number }; creditLimit?: string } = {},
): Promise<ResellerSetup> {
  const accountId = opts.accountId ?? (await createAccount(s.db, { name: "Wholesale merchant" })).id;
  const poolId = opts.poolId ?? (await createPool(s, accountId, { name: "Game card 100" }, cli)).id;
  const prefix = opts.prefix ?? `K${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  if (opts.stock) await stockPool(s, accountId, poolId, Array.from({ length: opts.stock }, (_, i) => `${prefix}-${String(i + 1).padStart(4, "0")}`));
  const reseller = await createReseller(s, accountId, { name: "Downstream shop", email: "buyer@reseller.example", currency: "USD", creditLimit: opts.creditLimit, ...opts.limits }, cli);
  await setResellerPrice(s, accountId, { resellerId: reseller.id, poolId, price: opts.price ?? "2.50" }, cli);
  if (opts.topup) await changeResellerBalance(s, accountId, { resellerId: reseller.id, kind: "topup", amount: opts.topup, note: "wire" }, cli);
  const { token } = await createResellerToken(s, accountId, { resellerId: reseller.id, scopes: opts.scopes ?? ALL_SCOPES }, cli);
  return { accountId, poolId, resellerId: reseller.id, token };
}
