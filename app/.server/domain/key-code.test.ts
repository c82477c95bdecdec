import { describe, expect, it } from "vitest";
import { maskCode, matchesFormat, normaliseCode } from "./key-code.ts";

describe("key codes", () => {
  it("normalises by trimming, and upper-cases only case-insensitive pools", () => {
    expect(normaliseCode("  abcd-1234 \t", false)).toBe("abcd-1234");
    expect(normaliseCode("  abcd-1234 ", true)).toBe("ABCD-1234");
    expect(normaliseCode("e\u0301", false)).toBe("\u00e9");
  });

  it("masks all but the ends", () => {
    expect(maskCode("ABCDE-12345-FGHIJ-67890-WXYZ")).toBe("ABCD…WXYZ");
    expect(maskCode("AB12CD34")).toBe("AB…34");
    expect(maskCode("ABC")).toBe("•••");
    expect(maskCode("卡密一二三四五六七八九十")).toBe("卡密一二…七八九十");
  });

  it("checks the optional format", () => {
    const re = /^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/;
    expect(matchesFormat("ABCDE-12345-FGHIJ-67890-KLMNO", re)).toBe(true);
    expect(matchesFormat("ABCDE-12345", re)).toBe(false);
    expect(matchesFormat("anything", null)).toBe(true);
  });
});
