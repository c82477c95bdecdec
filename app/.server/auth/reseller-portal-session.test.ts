import { describe, expect, it } from "vitest";
import { portalNext } from "./reseller-portal-session.ts";

describe("portalNext: where the portal's login may send a browser", () => {
  it("keeps a path inside the portal", () => {
    expect(portalNext("/portal/orders?cursor=abc")).toBe("/portal/orders?cursor=abc");
    expect(portalNext("/portal")).toBe("/portal");
  });
  it("sends anything else to the catalog: the admin, other sites, look-alikes, traversal", () => {
    for (const next of ["/admin", "//evil.example/portal", "https://evil.example/portal", "/portalx", "/portal/../admin", "/portal\\\\evil", "/portal/\nx", null, ""]) {
      expect(portalNext(next), String(next)).toBe("/portal");
    }
  });
});
