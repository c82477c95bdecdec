import type { Command } from "../command.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
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
