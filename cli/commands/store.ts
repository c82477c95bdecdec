import type { Services } from "../../app/.server/ports.ts";
import type { Command } from "../command.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { createLinkCode } from "../../app/.server/use-cases/create-link-code.ts";
import { redeemLinkCode } from "../../app/.server/use-cases/redeem-link-code.ts";
import { splitOffStore } from "../../app/.server/use-cases/split-off-store.ts";
import { UsageError } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

const cli = { type: "cli" as const };

export const storeAddWooCommerce: Command = {
  options: {
    account: { type: "string" },
    url: { type: "string" },
    "consumer-key": { type: "string" },
    "consumer-secret": { type: "string" },
    "webhook-secret": { type: "string" },
    "no-webhook": { type: "boolean", default: false },
  },
  needs: "services",
  validate(v) {
    for (const o of ["url", "consumer-key", "consumer-secret"]) if (!v[o]) throw new UsageError("missingOption", { option: `--${o}` });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await connectWooCommerceStore(
      s,
      accountId,
      {
        url: String(v.url),
        consumerKey: String(v["consumer-key"]),
        consumerSecret: String(v["consumer-secret"]),
        webhookSecret: typeof v["webhook-secret"] === "string" ? v["webhook-secret"] : null,
        registerWebhook: !v["no-webhook"],
      },
      cli,
    );
    out.say(out.t("cli.storeConnected", { name: r.name, url: r.url, id: r.id }));
    out.say(r.webhookId ? out.t("cli.storeWebhook", { url: r.webhookUrl }) : out.t("cli.storeNoWebhook", { url: r.webhookUrl }));
    if (!r.manageStock) out.say(out.t("cli.storeManageStockOff"));
    // The consumer secret is never printed back, not even with --json.
    out.result({ id: r.id, accountId, name: r.name, url: r.url, webhookUrl: r.webhookUrl, webhookId: r.webhookId, manageStock: r.manageStock, currency: r.currency, created: r.created });
  },
};

export const storeList: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const stores = await s.db
      .selectFrom("stores")
      .select(["id", "platform", "domain", "name", "status", "attention", "attention_at", "reconciled_at", "host_webhook_id"])
      .where("account_id", "=", accountId)
      .orderBy("created_at")
      .execute();
    if (stores.length === 0) out.say(out.t("cli.noStores"));
    for (const st of stores) {
      out.say(out.t("cli.storeLine", { id: st.id, platform: st.platform, domain: st.domain, status: st.status }) + (st.attention ? `  ${out.t("cli.storeAttention", { reason: st.attention })}` : ""));
    }
    out.result({
      stores: stores.map((st) => ({ id: st.id, platform: st.platform, domain: st.domain, name: st.name, status: st.status, attention: st.attention, attentionAt: st.attention_at, reconciledAt: st.reconciled_at, webhookId: st.host_webhook_id })),
    });
  },
};

/** The account a store belongs to (the CLI acts for the machine's owner, across accounts). */
async function accountOfStore(s: Pick<Services, "db">, storeId: string): Promise<string> {
  const found = await s.db.selectFrom("stores").select("account_id").where("id", "=", storeId).executeTakeFirst();
  if (!found) throw new UsageError("storeUnknown", { id: storeId });
  return found.account_id;
}

/** `store link-code`: a one-time code that links another store to this account (15 minutes, once). */
export const storeLinkCode: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const made = await createLinkCode(s, accountId, cli);
    out.say(out.t("cli.linkCodeMade", { code: made.code, expiresAt: made.expiresAt }));
    out.result({ accountId, code: made.code, expiresAt: made.expiresAt });
  },
};

/** `store link --code C --store ID`: moves that store into the account the code was made for. */
export const storeLink: Command = {
  options: { code: { type: "string" }, store: { type: "string" } },
  needs: "services",
  validate(v) {
    for (const o of ["code", "store"]) if (!v[o]) throw new UsageError("missingOption", { option: `--${o}` });
  },
  async run(s, v, out) {
    const storeId = String(v.store);
    const linked = await redeemLinkCode(s, await accountOfStore(s, storeId), { storeId, code: String(v.code), ip: null }, cli);
    out.say(out.t("cli.storeLinked", { name: linked.storeName, account: linked.accountName, accountId: linked.accountId, orders: linked.orders }));
    out.result(linked);
  },
};

/** `store split-off --store ID`: the store leaves its account for a new one with no pools. */
export const storeSplitOff: Command = {
  options: { store: { type: "string" } },
  needs: "services",
  validate(v) {
    if (!v.store) throw new UsageError("missingOption", { option: "--store" });
  },
  async run(s, v, out) {
    const storeId = String(v.store);
    const r = await splitOffStore(s, await accountOfStore(s, storeId), storeId, cli);
    out.say(out.t("cli.storeSplitOff", { name: r.storeName, accountId: r.accountId, mappings: r.mappingsRemoved, zeroed: r.stockZeroed }));
    if (r.stockZeroFailed > 0) out.say(out.t("cli.storeSplitStockFailed", { count: r.stockZeroFailed }));
    out.result(r);
  },
};
