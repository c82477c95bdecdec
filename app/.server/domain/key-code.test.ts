import { describe, expect, it } from "vitest";
import { isBlank, maskCode, matchesFormat, normaliseCode, readCode } from "./key-code.ts";

describe("key codes", () => {
  it("normalises by trimming, and upper-cases only case-insensitive pools", () => {
    expect(normaliseCode("  abcd-1234 \t", false)).toBe("abcd-1234");
    expect(normaliseCode("  abcd-1234 ", true)).toBe("ABCD-1234");
    expect(normaliseCode("e\u0301", false)).toBe("\u00e9");
  });

  it("strips whitespace and invisible characters at the ends (issue 19)", () => {
    expect(normaliseCode("\u200BABC", false)).toBe("ABC");
    expect(normaliseCode("\uFEFF\u2060 abc\u200D\u200C\u00A0\u3000\u0085", true)).toBe("ABC");
    expect(normaliseCode("\u202EABC\u202C", false)).toBe("ABC");
  });

  it("normalises a code that holds only quotes, separators, whitespace or invisibles to nothing (issue 19)", () => {
    for (const raw of ['""', ' "" ', '"   "', "“”", "'", "\u00A0\u3000\t", "\uFEFF", "\u200B\u200C\u200D\u2060", ",", ";", " ; , | ", "，；"]) {
      expect(normaliseCode(raw, false), JSON.stringify(raw)).toBe("");
    }
    // quotes and separators inside a real code are part of it
    expect(normaliseCode('AB"C', false)).toBe('AB"C');
    expect(normaliseCode('"ABC"', false)).toBe('"ABC"');
    expect(normaliseCode("A;B,C", false)).toBe("A;B,C");
  });

  it("reads a code from a file: trimmed, empty, or refused for an invisible character inside (issue 19)", () => {
    expect(readCode(" \u200BAAAA-1\uFEFF\u00A0")).toEqual({ kind: "code", code: "AAAA-1" });
    expect(readCode(' "" ')).toEqual({ kind: "empty", reason: "empty_code" });
    expect(readCode("\u200B")).toEqual({ kind: "empty", reason: "empty_code" });
    for (const inside of ["\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u202E"]) {
      expect(readCode(`AA${inside}AA`), JSON.stringify(inside)).toEqual({ kind: "invisible", reason: "invisible_character" });
    }
    // variation selectors belong to the character before them; spaces inside are visible
    expect(readCode("KEY-\u2764\uFE0F")).toEqual({ kind: "code", code: "KEY-\u2764\uFE0F" });
    expect(readCode("AB CD\u3000EF")).toEqual({ kind: "code", code: "AB CD\u3000EF" });
    // linear on a long line with a long run of spaces inside (no backtracking blow-up)
    expect(readCode(`x${"\u3000".repeat(60_000)}y`)).toMatchObject({ kind: "code" });
  });

  it("tells a line that shows nothing from one that holds something", () => {
    expect(isBlank(" \t\u00A0\u3000\u0085\u200B\uFEFF\u2060")).toBe(true);
    expect(isBlank("")).toBe(true);
    expect(isBlank('""')).toBe(false);
    expect(isBlank(";")).toBe(false);
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
