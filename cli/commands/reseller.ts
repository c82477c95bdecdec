import type { Command } from "../command.ts";
import { formatAmount } from "../../app/.server/domain/reseller-price.ts";
import { setResellerCreditLimit, updateResellerProfile } from "../../app/.server/use-cases/edit-reseller.ts";
import { createReseller, listAccountResellers, removeResellerPrice, requireReseller, setLowBalanceAlert, setResellerPrice, setResellerSuspended } from "../../app/.server/use-cases/manage-resellers.ts";
import { changeResellerBalance } from "../../app/.server/use-cases/reseller-balance.ts";
import { getResellerStatement, statementCsv } from "../../app/.server/use-cases/reseller-statement.ts";
import { refundResellerOrder } from "../../app/.server/use-cases/refund-reseller-order.ts";
import { createResellerToken, listTokens, revokeToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import type { Reseller } from "../../app/.server/db/schema.ts";
import { inviteResellerUser } from "../../app/.server/use-cases/invite-reseller-user.ts";
import { UsageError } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

/** `keyrelay reseller …`: wholesale resellers (issue 14). Amounts are decimal text in the reseller's currency. */
const cli = { type: "cli" as const };

const need = (...names: string[]) => (v: Record<string, unknown>) => {
  for (const n of names) if (v[n] === undefined || v[n] === "") throw new UsageError("missingOption", { option: `--${n}` });
};

function resellerJson(r: Reseller) {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    status: r.status,
    currency: r.currency,
    balanceMinor: r.balance_minor,
    creditLimitMinor: r.credit_limit_minor,
    maxUnitsPerOrder: r.max_units_per_order,
    maxUnitsPerDay: r.max_units_per_day,
    createdAt: r.created_at,
  };
}

export const resellerCreate: Command = {
  options: {
    account: { type: "string" },
    name: { type: "string" },
    email: { type: "string" },
    currency: { type: "string" },
    "credit-limit": { type: "string" },
    "max-per-order": { type: "string" },
    "max-per-day": { type: "string" },
    "rate-per-second": { type: "string" },
    "rate-burst": { type: "string" },
  },
  needs: "services",
  validate: need("name", "email", "currency"),
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await createReseller(
      s,
      accountId,
      { name: v.name, email: v.email, currency: v.currency, creditLimit: v["credit-limit"], maxUnitsPerOrder: v["max-per-order"], maxUnitsPerDay: v["max-per-day"], ratePerSecond: v["rate-per-second"], rateBurst: v["rate-burst"] },
      cli,
    );
    out.say(out.t("cli.resellerCreated", { name: r.name, id: r.id }));
    out.result({ reseller: resellerJson(r), accountId });
  },
};

export const resellerList: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const list = await listAccountResellers(s, accountId);
    if (list.length === 0) out.say(out.t("cli.noResellers"));
    for (const r of list) out.say(out.t("cli.resellerLine", { id: r.id, name: r.name, status: r.status, balance: formatAmount(r.balance_minor, r.currency), currency: r.currency }));
    out.result({ resellers: list.map(resellerJson) });
  },
};

export const resellerPriceSet: Command = {
  options: { account: { type: "string" }, reseller: { type: "string" }, pool: { type: "string" }, price: { type: "string" }, discount: { type: "string" } },
  needs: "services",
  validate(v) {
    need("reseller", "pool")(v);
    if (v.price === undefined && v.discount === undefined) throw new UsageError("missingOption", { option: "--price" });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const p = await setResellerPrice(s, accountId, { resellerId: String(v.reseller), poolId: String(v.pool), price: v.price as string | undefined, discount: v.discount as string | undefined }, cli);
    const r = await requireReseller(s, accountId, String(v.reseller));
    out.say(out.t("cli.resellerPriceSet", { pool: p.poolName, price: p.priceMinor !== null ? `${formatAmount(p.priceMinor, r.currency)} ${r.currency}` : `-${(p.discountBps ?? 0) / 100}%` }));
    out.result({ resellerId: r.id, poolId: p.poolId, priceMinor: p.priceMinor, discountBps: p.discountBps, currency: r.currency });
  },
};

export const resellerPriceRemove: Command = {
  options: { account: { type: "string" }, reseller: { type: "string" }, pool: { type: "string" } },
  needs: "services",
  validate: need("reseller", "pool"),
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    await removeResellerPrice(s, accountId, { resellerId: String(v.reseller), poolId: String(v.pool) }, cli);
    out.say(out.t("cli.resellerPriceRemoved"));
    out.result({ resellerId: String(v.reseller), poolId: String(v.pool), removed: true });
  },
};

/** A limit as the CLI takes it: a number, or "off" (or "") for none; left out, it stays as it is. */
function limitOption(given: unknown, current: number | null): string {
  if (given === undefined) return current === null ? "" : String(current);
  return given === "off" ? "" : String(given);
}

/** The page's profile edit: only the options given change (the currency never does). */
export const resellerUpdate: Command = {
  options: {
    account: { type: "string" },
    name: { type: "string" },
    email: { type: "string" },
    "max-per-order": { type: "string" },
    "max-per-day": { type: "string" },
    "rate-per-second": { type: "string" },
    "rate-burst": { type: "string" },
  },
  positionals: { count: 1, name: "RESELLER_ID" },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const now = await requireReseller(s, accountId, String(v._0));
    const r = await updateResellerProfile(
      s,
      accountId,
      now.id,
      {
        name: v.name ?? now.name,
        email: v.email ?? now.email ?? "",
        maxUnitsPerOrder: limitOption(v["max-per-order"], now.max_units_per_order),
        maxUnitsPerDay: limitOption(v["max-per-day"], now.max_units_per_day),
        ratePerSecond: limitOption(v["rate-per-second"], now.rate_per_second),
        rateBurst: limitOption(v["rate-burst"], now.rate_burst),
      },
      cli,
    );
    out.say(out.t("cli.resellerUpdated", { name: r.name }));
    out.result({ reseller: resellerJson(r) });
  },
};

export const resellerCreditLimit: Command = {
  options: { account: { type: "string" }, reseller: { type: "string" }, amount: { type: "string" } },
  needs: "services",
  validate: need("reseller", "amount"),
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await setResellerCreditLimit(s, accountId, String(v.reseller), String(v.amount), cli);
    const reseller = await requireReseller(s, accountId, String(v.reseller));
    out.say(out.t("cli.resellerCreditLimitSet", { amount: formatAmount(r.creditLimitMinor, reseller.currency), currency: reseller.currency }));
    out.result({ resellerId: reseller.id, creditLimitMinor: r.creditLimitMinor, currency: reseller.currency });
  },
};

function balanceCommand(kind: "topup" | "adjustment"): Command {
  return {
    options: { account: { type: "string" }, reseller: { type: "string" }, amount: { type: "string" }, note: { type: "string" } },
    needs: "services",
    validate: kind === "adjustment" ? need("reseller", "amount", "note") : need("reseller", "amount"),
    async run(s, v, out) {
      const accountId = await resolveAccount(s, v.account);
      const e = await changeResellerBalance(s, accountId, { resellerId: String(v.reseller), kind, amount: String(v.amount), note: v.note as string | undefined }, cli);
      out.say(out.t("cli.resellerBalanceChanged", { amount: formatAmount(e.amount_minor, e.currency), balance: formatAmount(e.balance_after_minor, e.currency), currency: e.currency }));
      out.result({ entry: { id: e.id, kind: e.kind, amountMinor: e.amount_minor, balanceAfterMinor: e.balance_after_minor, currency: e.currency, reason: e.reason, createdAt: e.created_at } });
    },
  };
}
export const resellerBalanceTopup = balanceCommand("topup");
export const resellerBalanceAdjust = balanceCommand("adjustment");

export const resellerTokenCreate: Command = {
  options: {
    account: { type: "string" },
    reseller: { type: "string" },
    scopes: { type: "string" },
    name: { type: "string" },
    expires: { type: "string" },
    "ip-allow": { type: "string" },
    sandbox: { type: "boolean", default: false },
  },
  needs: "services",
  validate: need("reseller", "scopes"),
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const { token, summary } = await createResellerToken(
      s,
      accountId,
      {
        resellerId: String(v.reseller),
        scopes: String(v.scopes),
        name: v.name as string | undefined,
        expiresAt: v.expires as string | undefined,
        ipAllow: typeof v["ip-allow"] === "string" ? v["ip-allow"].split(",") : undefined,
        mode: v.sandbox ? "test" : "live",
      },
      cli,
    );
    // The only time the token is shown: only its hash is kept.
    out.say(out.t("cli.resellerTokenCreated", { prefix: summary.prefix }));
    out.say(token);
    out.result({ token, ...summary });
  },
};

export const resellerTokenRevoke: Command = {
  options: { account: { type: "string" } },
  positionals: { count: 1, name: "ID" },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const t = await revokeToken(s, accountId, String(v._0), cli);
    out.say(out.t("cli.resellerTokenRevoked", { prefix: t.prefix }));
    out.result({ token: t });
  },
};

export const resellerOrderRefund: Command = {
  options: { account: { type: "string" } },
  positionals: { count: 1, name: "ORDER_ID" },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await refundResellerOrder(s, accountId, String(v._0), cli);
    out.say(r.alreadyRefunded ? out.t("cli.resellerOrderAlreadyRefunded") : out.t("cli.resellerOrderRefunded", { amount: formatAmount(r.creditedMinor, r.currency), currency: r.currency, units: r.released }));
    out.result(r);
  },
};

function statusCommand(suspended: boolean): Command {
  return {
    options: { account: { type: "string" } },
    positionals: { count: 1, name: "RESELLER_ID" },
    needs: "services",
    async run(s, v, out) {
      const accountId = await resolveAccount(s, v.account);
      await setResellerSuspended(s, accountId, String(v._0), suspended, cli);
      const r = await requireReseller(s, accountId, String(v._0));
      out.say(out.t(suspended ? "cli.resellerSuspended" : "cli.resellerActivated", { name: r.name }));
      out.result({ reseller: resellerJson(r) });
    },
  };
}
/** A suspended reseller's API calls answer 403 reseller_suspended; its tokens stay as they are. */
export const resellerSuspend = statusCommand(true);
export const resellerActivate = statusCommand(false);

export const resellerTokenList: Command = {
  options: { account: { type: "string" }, reseller: { type: "string" } },
  needs: "services",
  validate: need("reseller"),
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const tokens = await listTokens(s, accountId, String(v.reseller));
    for (const t of tokens) out.say(out.t("cli.resellerTokenLine", { id: t.id, prefix: t.prefix, scopes: t.scopes.join(","), state: t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt <= new Date().toISOString() ? "expired" : "active", lastUsed: t.lastUsedAt ?? "-" }));
    out.result({ tokens });
  },
};

export const resellerLowBalance: Command = {
  options: { account: { type: "string" }, reseller: { type: "string" }, amount: { type: "string" } },
  needs: "services",
  validate: need("reseller", "amount"),
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await setLowBalanceAlert(s, accountId, String(v.reseller), String(v.amount), cli);
    out.say(r.lowBalanceMinor === null ? out.t("cli.resellerLowBalanceOff") : out.t("cli.resellerLowBalanceSet", { amount: v.amount }));
    out.result({ accountId, resellerId: v.reseller, ...r });
  },
};

export const resellerStatement: Command = {
  options: { account: { type: "string" }, reseller: { type: "string" }, month: { type: "string" }, csv: { type: "boolean" } },
  needs: "services",
  validate: need("reseller", "month"),
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const st = await getResellerStatement(s, accountId, String(v.reseller), String(v.month));
    if (v.csv) {
      process.stdout.write(statementCsv(st));
      return;
    }
    const c = st.reseller.currency;
    out.say(out.t("cli.resellerStatement", { name: st.reseller.name, month: st.month, opening: formatAmount(st.openingMinor, c), closing: formatAmount(st.closingMinor, c), currency: c, orders: st.orders.count, units: st.orders.units, topups: formatAmount(st.totals.topup.amountMinor, c), debits: formatAmount(st.totals.debit.amountMinor, c), credits: formatAmount(st.totals.credit.amountMinor, c), adjustments: formatAmount(st.totals.adjustment.amountMinor, c) }));
    out.result({ accountId, ...st });
  },
};

/** `reseller invite --reseller R --email E`: a portal login for one of the reseller's people (an email with a one-time link). */
export const resellerInvite: Command = {
  options: { account: { type: "string" }, reseller: { type: "string" }, email: { type: "string" }, locale: { type: "string" } },
  needs: "services",
  validate: need("reseller", "email"),
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await inviteResellerUser(s, accountId, { resellerId: String(v.reseller), email: String(v.email), locale: v.locale as string | undefined }, cli);
    out.say(out.t(r.renewed ? "cli.resellerPortalInviteRenewed" : "cli.resellerPortalInvited", { email: r.email, expires: r.expiresAt }));
    if (!r.sent) out.say(out.t("cli.resellerPortalInviteNotSent"));
    out.result({ accountId, ...r });
  },
};
