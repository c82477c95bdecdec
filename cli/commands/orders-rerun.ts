import type { Command } from "../command.ts";
import { rerunOrder } from "../../app/.server/use-cases/rerun-order.ts";
import { UsageError } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

export const ordersRerun: Command = {
  options: { account: { type: "string" }, store: { type: "string" }, order: { type: "string" } },
  needs: "services",
  validate(v) {
    for (const o of ["store", "order"]) if (!v[o]) throw new UsageError("missingOption", { option: `--${o}` });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await rerunOrder(s, accountId, { storeId: String(v.store), orderName: String(v.order) }, { type: "cli" });
    out.say(out.t("cli.orderRerun", { id: r.orderId, status: r.status, allocated: r.allocated, backordered: r.backordered, released: r.released }));
    out.result(r);
  },
};
