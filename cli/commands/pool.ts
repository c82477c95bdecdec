import type { Command } from "../command.ts";
import { createPool, getPoolDetail, listPoolSummaries, type PoolSummary } from "../../app/.server/use-cases/manage-pools.ts";
import { UsageError, type Output } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

const cli = { type: "cli" as const };

export const poolCreate: Command = {
  options: {
    account: { type: "string" },
    name: { type: "string" },
    "low-stock": { type: "string" },
    sku: { type: "string" },
    notes: { type: "string" },
    cost: { type: "string" },
    currency: { type: "string" },
    format: { type: "string" },
    "case-insensitive": { type: "boolean", default: false },
    "refund-policy": { type: "string" },
  },
  needs: "services",
  validate(v) {
    if (!v.name) throw new UsageError("missingOption", { option: "--name" });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const pool = await createPool(
      s,
      accountId,
      {
        name: v.name,
        // Without --low-stock, the account's default (settings low_stock.threshold).
        lowStockThreshold: v["low-stock"],
        sku: v.sku,
        notes: v.notes,
        defaultCost: v.cost,
        currency: v.currency,
        formatRegex: v.format,
        caseInsensitive: v["case-insensitive"],
        refundPolicy: v["refund-policy"],
      },
      cli,
    );
    out.say(out.t("cli.poolCreated", { name: pool.name, id: pool.id }));
    out.result({ id: pool.id, accountId, name: pool.name });
  },
};

function sayPool(out: Output, p: PoolSummary) {
  const c = p.counts;
  out.say(
    out.t("cli.poolLine", { id: p.id, name: p.name, available: c.available, allocated: c.allocated, delivered: c.delivered, expired: c.expired }) +
      (p.lowStock ? ` ${out.t("cli.lowStockFlag")}` : "") +
      (p.archived ? ` ${out.t("cli.archivedFlag")}` : ""),
  );
}

export const poolList: Command = {
  options: { account: { type: "string" }, archived: { type: "boolean", default: false } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const pools = await listPoolSummaries(s, accountId, { includeArchived: Boolean(v.archived) });
    if (pools.length === 0) out.say(out.t("cli.noPools"));
    for (const p of pools) sayPool(out, p);
    out.result({ pools });
  },
};

export const poolShow: Command = {
  options: { account: { type: "string" } },
  positionals: { count: 1, name: "ID" },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const d = await getPoolDetail(s, accountId, String(v._0));
    sayPool(out, d.summary);
    for (const b of d.batches) out.say(out.t("cli.batchLine", { id: b.id, keys: b.key_count, supplier: b.supplier ?? "-", at: b.created_at }));
    out.result({ pool: { ...d.summary, currency: d.pool.currency, formatRegex: d.pool.format_regex, refundPolicy: d.pool.refund_policy }, batches: d.batches });
  },
};
