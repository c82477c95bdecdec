import type { KeyState } from "../db/schema.ts";
import type { UnitStatus } from "./allocation-plan.ts";

export type RefundPolicy = "revoke" | "return_if_unseen";

export interface ReleaseDecision {
  /** What the unit's allocation row becomes. */
  unit: Extract<UnitStatus, "revoked" | "returned" | "dropped">;
  /** What happens to its key: revoked (never sold again) or back to available stock; none for a backorder. */
  key: "revoke" | "return_to_stock" | null;
}

/**
 * A released unit (refund, cancellation) under the pool's policy. A key counts as seen once any
 * channel has carried it to the buyer (it is then `delivered`): a seen key is always revoked,
 * because the buyer may still use it. Only a key that never left keyrelay (`allocated`) may go
 * back to stock, and only when the pool says so.
 */
export function decideRelease(unit: UnitStatus, keyState: KeyState | null, policy: RefundPolicy): ReleaseDecision {
  if (unit === "backordered" || keyState === null) return { unit: "dropped", key: null };
  if (policy === "return_if_unseen" && keyState === "allocated") return { unit: "returned", key: "return_to_stock" };
  return { unit: "revoked", key: "revoke" };
}
