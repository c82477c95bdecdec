import { describe, expect, it } from "vitest";
import { storeIsInactive } from "./store-status.ts";

describe("storeIsInactive", () => {
  it("is true for an uninstalled or disconnected store only", () => {
    expect(storeIsInactive("uninstalled")).toBe(true);
    expect(storeIsInactive("disconnected")).toBe(true);
    expect(storeIsInactive("active")).toBe(false);
    expect(storeIsInactive("broken")).toBe(false);
  });
});
