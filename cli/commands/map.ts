import type { Command } from "../command.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { UsageError } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

export const map: Command = {
  options: {
    account: { type: "string" },
    store: { type: "string" },
    product: { type: "string" },
    variant: { type: "string" },
    pool: { type: "string" },
    units: { type: "string" },
    "no-sync": { type: "boolean", default: false },
  },
  needs: "services",
  validate(v) {
    for (const o of ["store", "product", "pool"]) if (!v[o]) throw new UsageError("missingOption", { option: `--${o}` });
    if (v.units !== undefined && !/^\d+$/.test(String(v.units))) throw new UsageError("unknownOption", { detail: `--units ${v.units}` });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const m = await mapProduct(
      s,
      accountId,
      {
        storeId: String(v.store),
        productId: String(v.product),
        variantId: typeof v.variant === "string" ? v.variant : null,
        poolId: String(v.pool),
        unitsPerItem: v.units === undefined ? 1 : Number(v.units),
        syncStock: !v["no-sync"],
      },
      { type: "cli" },
    );
    out.say(out.t("cli.mapped", { product: m.product_id, variant: m.variant_id ? ` / ${m.variant_id}` : "", pool: m.pool_id, units: m.units_per_item, id: m.id }));
    out.result({ id: m.id, storeId: m.store_id, productId: m.product_id, variantId: m.variant_id || null, poolId: m.pool_id, unitsPerItem: m.units_per_item, syncStock: m.sync_stock === 1 });
  },
};
