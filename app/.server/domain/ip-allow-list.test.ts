import { describe, expect, it } from "vitest";
import { ipAllowed, parseAllowList } from "./ip-allow-list.ts";

describe("IP allow list", () => {
  it("parses addresses and ranges, refusing anything else by name", () => {
    expect(parseAllowList(["203.0.113.7", " 10.0.0.0/8 ", "2001:db8::/32"])).toEqual({ ranges: ["203.0.113.7/32", "10.0.0.0/8", "2001:db8::/32"] });
    expect(parseAllowList(["10.0.0.0/8", "nope"])).toEqual({ invalid: "nope" });
  });
  it("an empty list allows any address", () => {
    expect(ipAllowed(null, "1.2.3.4")).toBe(true);
    expect(ipAllowed([], "1.2.3.4")).toBe(true);
  });
  it("matches addresses in the ranges only, IPv4-mapped IPv6 included", () => {
    const r = ["10.0.0.0/8", "203.0.113.7/32"];
    expect(ipAllowed(r, "10.1.2.3")).toBe(true);
    expect(ipAllowed(r, "::ffff:10.1.2.3")).toBe(true);
    expect(ipAllowed(r, "203.0.113.8")).toBe(false);
    expect(ipAllowed(r, "2001:db8::1")).toBe(false);
    expect(ipAllowed(r, "unknown")).toBe(false);
  });
});
