import { decodeKeyPayload } from "../crypto/key-payload.ts";
import type { KeyCipher } from "../crypto/key-cipher.ts";
import { listOrderUnits, type ResellerOrderRow } from "../db/repositories/reseller-orders-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";

/** An order as the reseller API shows it (snake_case: the public JSON contract). */
export interface ResellerOrderView {
  id: string;
  /** false for a sandbox (kr_test_) order: fake keys, nothing charged. */
  livemode: boolean;
  status: string;
  pool: string;
  quantity: number;
  unit_price_minor: number;
  total_minor: number;
  currency: string;
  reference: string | null;
  created_at: string;
  /** The keys delivered so far; units still waiting for stock are counted in backordered_units. */
  keys: { code: string; fields?: Record<string, string> }[];
  backordered_units: number;
}

/**
 * The status the API shows. A held order is `in_review` (charged, keys reserved, none shown) and
 * a denied one `denied` (keys back to stock, the total credited back), whatever its units say.
 */
function publicStatus(o: ResellerOrderRow): string {
  if (o.status === "refunded") return "refunded";
  if (o.riskDecision === "hold") return "in_review";
  if (o.riskDecision === "rejected") return "denied";
  return o.status === "partially_allocated" ? "backordered" : o.status === "allocated" ? "fulfilled" : o.status;
}

/** Whether the order's keys may be shown: not while held for review, never once denied. */
export function keysShown(o: Pick<ResellerOrderRow, "riskDecision">): boolean {
  return o.riskDecision !== "hold" && o.riskDecision !== "rejected";
}

/** An order summary for lists: no keys (GET /orders/{id} has them). */
export type ResellerOrderSummary = Omit<ResellerOrderView, "keys">;

export function orderSummary(o: ResellerOrderRow, backordered: number): ResellerOrderSummary {
  return {
    id: o.id,
    livemode: true,
    status: publicStatus(o),
    pool: o.poolId ?? "",
    quantity: o.quantity,
    unit_price_minor: o.unitPriceMinor,
    total_minor: o.totalMinor,
    currency: o.currency ?? "",
    reference: o.reference,
    created_at: o.createdAt,
    backordered_units: backordered,
  };
}

/** The order with its keys opened (the keys are bound to the account: AAD). */
export async function orderView(db: Executor, cipher: KeyCipher, accountId: string, o: ResellerOrderRow): Promise<ResellerOrderView> {
  const units = await listOrderUnits(db, accountId, o.id);
  const keys = units
    .filter((u) => keysShown(o))
    .filter((u) => u.status === "allocated" && u.ciphertext && u.masterKeyId)
    .map((u) => {
      const p = decodeKeyPayload(cipher.openString({ ciphertext: u.ciphertext!, keyId: u.masterKeyId! }, accountId));
      return p.fields && Object.keys(p.fields).length ? { code: p.code, fields: p.fields } : { code: p.code };
    });
  const backordered = units.filter((u) => u.status === "backordered").length;
  const { backordered_units, ...rest } = orderSummary(o, backordered);
  return { ...rest, keys, backordered_units };
}
