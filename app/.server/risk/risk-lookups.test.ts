import { describe, expect, it } from "vitest";
import { riskLookups } from "./risk-lookups.ts";

// Offline by construction: both lists ship inside npm packages; no socket is opened.
describe("risk lookups", () => {
  it("maps public addresses to their country, IPv4 and IPv6", () => {
    expect(riskLookups.ipCountry("8.8.8.8")).toBe("US");
    expect(riskLookups.ipCountry("1.2.4.8")).toBe("CN");
    expect(riskLookups.ipCountry("81.2.69.160")).toBe("GB");
    expect(riskLookups.ipCountry("2001:4860:4860::8888")).toBe("US");
    expect(riskLookups.ipCountry("::ffff:8.8.8.8")).toBe("US");
  });

  it("knows no country for private, loopback, malformed or missing addresses", () => {
    expect(riskLookups.ipCountry("127.0.0.1")).toBeNull();
    expect(riskLookups.ipCountry("10.1.2.3")).toBeNull();
    expect(riskLookups.ipCountry("1.2.3")).toBeNull();
    expect(riskLookups.ipCountry("not an ip")).toBeNull();
    expect(riskLookups.ipCountry(null)).toBeNull();
  });

  it("recognises disposable email domains, case-insensitively, and not ordinary ones", () => {
    expect(riskLookups.isDisposableDomain("mailinator.com")).toBe(true);
    expect(riskLookups.isDisposableDomain("MAILINATOR.COM")).toBe(true);
    expect(riskLookups.isDisposableDomain("gmail.com")).toBe(false);
    expect(riskLookups.isDisposableDomain("qq.com")).toBe(false);
    expect(riskLookups.isDisposableDomain(null)).toBe(false);
    expect(riskLookups.isDisposableDomain("")).toBe(false);
  });
});
