import { describe, expect, it } from "vitest";
import { runAtMost } from "./run-at-most.ts";

describe("runAtMost", () => {
  it("runs every item, never more than the limit at once, starting them in order", async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await runAtMost([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5 + (n % 3)));
      running--;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it("does nothing for no items", async () => {
    let calls = 0;
    await runAtMost([], 4, async () => void calls++);
    expect(calls).toBe(0);
  });
});
