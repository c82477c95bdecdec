import type { KeyState } from "../db/schema.ts";

/**
 * Every legal move of a key, written down once. Each move is applied as one conditional UPDATE
 * (`… WHERE state = <from>`) whose affected-row count is checked, so two actors racing for the
 * same key cannot both win.
 *
 *   importing ──commit──▶ available ──allocate──▶ allocated ──deliver──▶ delivered
 *                          │   ▲                    │   │                  │   │
 *                     expire/void  restock         revoke return         revoke return
 *                          ▼   │                    ▼   ▼                  ▼   ▼
 *                   expired/void returned ◀──────────────────────────────────── (returned)
 *
 * `importing` keys belong to a batch that has not committed yet: they are never allocated.
 * `revoked`, `void` and `expired` keys are never sold again (expired → void is a clean-up).
 */
export type KeyTransition =
  | "commit"
  | "allocate"
  | "deliver"
  | "revoke"
  | "return"
  | "return_unseen"
  | "restock"
  | "expire"
  | "void";

export const KEY_TRANSITIONS: Record<KeyTransition, { from: readonly KeyState[]; to: KeyState }> = {
  commit: { from: ["importing"], to: "available" },
  allocate: { from: ["available"], to: "allocated" },
  deliver: { from: ["allocated"], to: "delivered" },
  revoke: { from: ["allocated", "delivered"], to: "revoked" },
  return: { from: ["allocated", "delivered"], to: "returned" },
  // A refund under "return if unseen": only a key no channel has carried to the buyer. Checked in
  // the same conditional UPDATE, so a delivery that marked the key a moment earlier wins.
  return_unseen: { from: ["allocated"], to: "returned" },
  restock: { from: ["returned"], to: "available" },
  expire: { from: ["available"], to: "expired" },
  void: { from: ["available", "expired", "returned"], to: "void" },
};

export const KEY_STATES: readonly KeyState[] = ["importing", "available", "allocated", "delivered", "revoked", "returned", "expired", "void"];

export function canTransition(from: KeyState, transition: KeyTransition): boolean {
  return KEY_TRANSITIONS[transition].from.includes(from);
}

/** The states a key may be in for a transition to apply, and where it ends up. */
export function transitionOf(transition: KeyTransition): { from: readonly KeyState[]; to: KeyState } {
  return KEY_TRANSITIONS[transition];
}

/** A key that a merchant still owns as stock (for counts and low-stock alerts). */
export function isSellable(state: KeyState): boolean {
  return state === "available";
}
