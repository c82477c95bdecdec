import { describe, expect, it } from "vitest";
import { hasScope, parseScopes } from "./reseller-scopes.ts";

describe("reseller scopes", () => {
  it("parses a comma list, merging duplicates", () => {
    expect(parseScopes("catalog:read, orders:write,catalog:read")).toEqual({ scopes: ["catalog:read", "orders:write"] });
  });
  it("names the first unknown scope; an empty list is refused", () => {
    expect(parseScopes("catalog:read,orders:delete")).toEqual({ unknown: "orders:delete" });
    expect(parseScopes(" , ")).toEqual({ unknown: "" });
  });
  it("a request needs its scope exactly", () => {
    expect(hasScope(["orders:read"], "orders:write")).toBe(false);
    expect(hasScope(["orders:write"], "orders:write")).toBe(true);
  });
});
