import { describe, expect, it } from "vitest";
import { parseExpiry } from "./parse-expiry.ts";

describe("parseExpiry", () => {
  it("reads a date as the last millisecond of that day in UTC", () => {
    expect(parseExpiry("2027-01-31")).toBe("2027-01-31T23:59:59.999Z");
    expect(parseExpiry("2028-02-29")).toBe("2028-02-29T23:59:59.999Z");
  });

  it("normalises datetimes to UTC ISO strings", () => {
    expect(parseExpiry("2027-01-31T12:00:00Z")).toBe("2027-01-31T12:00:00.000Z");
    expect(parseExpiry("2027-01-31T12:00Z")).toBe("2027-01-31T12:00:00.000Z");
    expect(parseExpiry("2027-01-31 12:34:56")).toBe("2027-01-31T12:34:56.000Z");
    expect(parseExpiry("2027-01-31T12:34:56.5z")).toBe("2027-01-31T12:34:56.500Z");
    expect(parseExpiry("2027-01-31T12:34:56.123456Z")).toBe("2027-01-31T12:34:56.123Z");
    expect(parseExpiry("2027-01-31T08:00:00+08:00")).toBe("2027-01-31T00:00:00.000Z");
    expect(parseExpiry("2027-01-31T20:30:00-0530")).toBe("2027-02-01T02:00:00.000Z");
  });

  it("rejects impossible and non-ISO values", () => {
    for (const bad of [
      "2027-02-29",
      "2027-13-01",
      "2027-00-10",
      "2027-04-31",
      "2027-01-31T24:00",
      "2027-01-31T12:60",
      "2027-01-31T12:00:60",
      "2027-01-31T12:00+25:00",
      "31/01/2027",
      "2027/01/31",
      "2027-1-31",
      "0999-01-01",
      "tomorrow",
      "2027-01-31T",
      "2027-01-31 12",
    ]) {
      expect(parseExpiry(bad), bad).toBeNull();
    }
  });
});
