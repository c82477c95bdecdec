import { describe, expect, it } from "vitest";
import type { ColumnPlan } from "./csv-columns.ts";
import { parseCsvRow } from "./csv-row.ts";

const plan: ColumnPlan = { code: 0, fields: [{ name: "pin", index: 1 }], cost: 2, expiry: 3 };
const row = (cells: string[], digits = 2) => parseCsvRow(cells, 4, plan, 7, digits);

describe("parseCsvRow", () => {
  it("builds a trimmed key with extras, cost and expiry", () => {
    expect(row([" AAAA-1 ", " 1234 ", " 9.90 ", " 2027-01-31 "])).toEqual({
      kind: "key",
      line: 7,
      code: "AAAA-1",
      fields: { pin: "1234" },
      costMinor: 990,
      expiresAt: "2027-01-31T23:59:59.999Z",
    });
  });

  it("leaves empty optional cells out", () => {
    const parsed = row(["AAAA-1", "", " ", ""]);
    expect(parsed).toEqual({ kind: "key", line: 7, code: "AAAA-1", fields: {} });
    expect(parsed).not.toHaveProperty("costMinor");
    expect(parsed).not.toHaveProperty("expiresAt");
  });

  it("skips a blank row and rejects the first problem of a bad one", () => {
    expect(row(["", " ", "", ""])).toBeNull();
    expect(row(["AAAA-1", "1234", "1"])).toEqual({ kind: "invalid", line: 7, reason: "bad_csv_row" });
    expect(row(["AAAA-1", "1234", "1", "", "extra"])).toEqual({ kind: "invalid", line: 7, reason: "bad_csv_row" });
    expect(row([" ", "1234", "-1", "x"])).toEqual({ kind: "invalid", line: 7, reason: "empty_code" });
    expect(row(["A".repeat(513), "1234", "", ""])).toEqual({ kind: "invalid", line: 7, reason: "code_too_long" });
    expect(row(["AAAA-1", "p".repeat(1025), "-1", ""])).toEqual({ kind: "invalid", line: 7, reason: "field_too_long" });
    expect(row(["AAAA-1", "1234", "-1", "x"])).toEqual({ kind: "invalid", line: 7, reason: "bad_cost" });
    expect(row(["AAAA-1", "1234", "1.005", ""])).toEqual({ kind: "invalid", line: 7, reason: "bad_cost" });
    expect(row(["AAAA-1", "1234", "1", "2027-02-30"])).toEqual({ kind: "invalid", line: 7, reason: "bad_expiry" });
  });

  it("treats a cell that holds no code as empty: quotes, separators, invisible characters (issue 19)", () => {
    expect(row(['""', "1234", "", ""])).toEqual({ kind: "invalid", line: 7, reason: "empty_code" });
    expect(row([' "   " ', "1234", "", ""])).toEqual({ kind: "invalid", line: 7, reason: "empty_code" });
    expect(row([";", "1234", "", ""])).toEqual({ kind: "invalid", line: 7, reason: "empty_code" });
    expect(row(["\u200B\uFEFF", "1234", "", ""])).toEqual({ kind: "invalid", line: 7, reason: "empty_code" });
    // nothing visible in any cell: a blank row, skipped like an empty line
    expect(row(["\u200B", "\uFEFF", "\u00A0", "\u3000\u2060"])).toBeNull();
    // invisible characters at the ends are stripped, inside a code refused
    expect(row(["\u200BAAAA-1\uFEFF", "\u2060 1234", "", ""])).toEqual({ kind: "key", line: 7, code: "AAAA-1", fields: { pin: "1234" } });
    expect(row(["AA\u200BAA-1", "1234", "", ""])).toEqual({ kind: "invalid", line: 7, reason: "invisible_character" });
    // an optional cell of quotes is absent, not a value
    expect(row(["AAAA-1", ' "" ', '""', "\u200B"])).toEqual({ kind: "key", line: 7, code: "AAAA-1", fields: {} });
  });

  it("measures limits in characters: 512 CJK or emoji characters are allowed", () => {
    expect(row(["卡".repeat(512), "", "", ""])).toMatchObject({ kind: "key" });
    expect(row(["😀".repeat(512), "", "", ""])).toMatchObject({ kind: "key" });
    expect(row(["😀".repeat(513), "", "", ""])).toMatchObject({ kind: "invalid", reason: "code_too_long" });
    expect(row(["A", "密".repeat(1024), "", ""])).toMatchObject({ kind: "key" });
  });

  it("stores a field named __proto__ as data", () => {
    const parsed = parseCsvRow(["A", "x"], 2, { code: 0, fields: [{ name: "__proto__", index: 1 }] }, 2, 2);
    expect(parsed?.kind === "key" && Object.keys(parsed.fields)).toEqual(["__proto__"]);
  });

  it("uses the currency's minor unit", () => {
    expect(row(["A", "", "1,200", ""], 0)).toMatchObject({ costMinor: 1200 });
    expect(row(["A", "", "12.5", ""], 0)).toEqual({ kind: "invalid", line: 7, reason: "bad_cost" });
  });
});
