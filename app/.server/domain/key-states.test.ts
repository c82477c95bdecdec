import { describe, expect, it } from "vitest";
import { canTransition, KEY_STATES, KEY_TRANSITIONS, type KeyTransition } from "./key-states.ts";

// The whole table, edge by edge: [from, transition] → allowed.
const legal = new Set([
  "importing:commit",
  "available:allocate",
  "allocated:deliver",
  "allocated:revoke",
  "delivered:revoke",
  "allocated:return",
  "delivered:return",
  "allocated:return_unseen",
  "returned:restock",
  "available:expire",
  "available:void",
  "expired:void",
  "returned:void",
]);

describe("key state transitions", () => {
  const transitions = Object.keys(KEY_TRANSITIONS) as KeyTransition[];
  for (const from of KEY_STATES) {
    for (const t of transitions) {
      const allowed = legal.has(`${from}:${t}`);
      it(`${from} --${t}--> ${allowed ? KEY_TRANSITIONS[t].to : "refused"}`, () => {
        expect(canTransition(from, t)).toBe(allowed);
      });
    }
  }

  it("never lets a revoked, void or delivered key become available again directly", () => {
    for (const from of ["revoked", "void", "delivered", "allocated"] as const) {
      for (const t of transitions) if (canTransition(from, t)) expect(KEY_TRANSITIONS[t].to).not.toBe("available");
    }
  });

  it("only commit and restock lead to available, and only an available key can be allocated", () => {
    expect(transitions.filter((t) => KEY_TRANSITIONS[t].to === "available").sort()).toEqual(["commit", "restock"]);
    expect(KEY_STATES.filter((s) => canTransition(s, "allocate"))).toEqual(["available"]);
  });
});
