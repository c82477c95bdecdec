import { describe, expect, it } from "vitest";
import { InvalidInputError } from "./errors.ts";
import { isActive, matchLists, parseExpiry, parseListKind, parseListValue, type ListEntry } from "./risk-lists.ts";

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidInputError) return `${e.code}:${e.field}`;
    throw e;
  }
  throw new Error("accepted");
}

describe("risk list values", () => {
  it("normalises each kind", () => {
    expect(parseListValue("email", " Bad@X.COM ")).toBe("bad@x.com");
    expect(parseListValue("domain", "@Mailinator.com")).toBe("mailinator.com");
    expect(parseListValue("ip", "203.0.113.7")).toBe("203.0.113.7/32");
    expect(parseListValue("ip", "10.0.0.0/8")).toBe("10.0.0.0/8");
    expect(parseListValue("country", "ru")).toBe("RU");
    expect(parseListValue("customer", " 42 ")).toBe("42");
  });

  it("refuses a bad value naming the field", () => {
    expect(code(() => parseListValue("email", "nope"))).toBe("risk_list_bad_email:value");
    expect(code(() => parseListValue("domain", "no spaces.com x"))).toBe("risk_list_bad_domain:value");
    expect(code(() => parseListValue("ip", "10.0.0.0/33"))).toBe("risk_list_bad_cidr:value");
    expect(code(() => parseListValue("ip", "1.2.3"))).toBe("risk_list_bad_cidr:value");
    expect(code(() => parseListValue("country", "XX"))).toBe("risk_list_bad_country:value");
    expect(code(() => parseListValue("customer", ""))).toBe("risk_list_bad_customer:value");
    expect(code(() => parseListKind("bin"))).toBe("risk_list_bad_kind:kind");
  });

  it("reads expiry as minutes, refusing zero, negative and too long", () => {
    expect(parseExpiry("7d")).toBe(7 * 1440);
    expect(parseExpiry("12h")).toBe(720);
    expect(parseExpiry("30m")).toBe(30);
    for (const bad of ["0d", "-1d", "7w", "", "366d"]) expect(code(() => parseExpiry(bad))).toBe("risk_list_bad_expiry:expires-in");
  });
});

describe("matchLists", () => {
  const now = new Date("2026-12-07T06:00:00Z");
  const entries: ListEntry[] = [
    { id: "a", kind: "ip", value: "203.0.113.0/24", action: "block", expiresAt: null },
    { id: "b", kind: "domain", value: "example.com", action: "allow", expiresAt: "2026-12-07T06:00:01Z" },
    { id: "c", kind: "email", value: "li@example.com", action: "block", expiresAt: "2026-12-07T06:00:00Z" },
    { id: "d", kind: "country", value: "RU", action: "block", expiresAt: null },
    { id: "e", kind: "customer", value: "c9", action: "block", expiresAt: null },
  ];

  it("matches ranges, exact values and countries; an expired entry matches nothing", () => {
    const hits = matchLists(entries, { email: "Li@Example.com", ip: "203.0.113.9", country: ["CN", "RU"], customerId: "c1" }, now);
    expect(hits.map((h) => h.entryId)).toEqual(["a", "b", "d"]);
    expect(isActive(entries[2]!, now)).toBe(false);
    expect(isActive(entries[1]!, now)).toBe(true);
    expect(matchLists(entries, { email: null, ip: null, country: [], customerId: "c9" }, now).map((h) => h.entryId)).toEqual(["e"]);
  });
});
