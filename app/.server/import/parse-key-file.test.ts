import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { parseKeyFile } from "./parse-key-file.ts";
import { chunked, collect, invalid, key, parseAll, parseError, utf16, utf8 } from "./test-input.ts";

const gb = (text: string) => new Uint8Array(iconv.encode(text, "gb18030"));

describe("parseKeyFile: TXT", () => {
  it("trims, skips blank lines and keeps physical line numbers across CRLF, LF and CR", async () => {
    const file = "AAAA-0001  \r\n\r\n  BBBB-0002\t\r\n   \r\nCCCC-0003\nDDDD-0004\rEEEE-0005";
    for (const chunkSize of [1, 3, 1024]) {
      expect(await parseAll(utf8(file), { format: "txt" }, chunkSize)).toEqual({
        encoding: "utf-8",
        lines: [key(1, "AAAA-0001"), key(3, "BBBB-0002"), key(5, "CCCC-0003"), key(6, "DDDD-0004"), key(7, "EEEE-0005")],
      });
    }
  });

  it("strips a UTF-8 BOM", async () => {
    expect(await parseAll(utf8("\uFEFFAAAA-1\nBBBB-2\n"), { format: "txt" }, 2)).toEqual({
      encoding: "utf-8",
      lines: [key(1, "AAAA-1"), key(2, "BBBB-2")],
    });
  });

  it("reads UTF-16 LE and BE with a BOM", async () => {
    const text = "卡密-AAAA\r\n\r\nKEY-😀-2 \r\n";
    const lines = [key(1, "卡密-AAAA"), key(3, "KEY-😀-2")];
    expect(await parseAll(utf16(text, "le"), { format: "txt" }, 3)).toEqual({ encoding: "utf-16le", lines });
    expect(await parseAll(utf16(text, "be"), { format: "txt" }, 3)).toEqual({ encoding: "utf-16be", lines });
  });

  it("detects GB18030 text", async () => {
    expect(await parseAll(gb("充值卡一号\r\n充值卡二号\r\n"), { format: "txt" }, 5)).toEqual({
      encoding: "gb18030",
      lines: [key(1, "充值卡一号"), key(2, "充值卡二号")],
    });
  });

  it("reports over-long codes by line and goes on", async () => {
    const file = `OK-1\n${"X".repeat(513)}\n${"Y".repeat(512)}\n${"Z".repeat(200_000)}\nOK-2`;
    expect((await parseAll(utf8(file), { format: "txt" }, 4096)).lines).toEqual([
      key(1, "OK-1"),
      invalid(2, "code_too_long"),
      key(3, "Y".repeat(512)),
      invalid(4, "code_too_long"),
      key(5, "OK-2"),
    ]);
  });
});

describe("parseKeyFile: CSV", () => {
  it("maps code, extra fields, cost and expiry, with trimmed cells and absent empty ones", async () => {
    const file = [
      "Serial , PIN,Cost,Expires,Note",
      " AAAA-1 ,1111, 12.5 ,2027-01-31,n1",
      "BBBB-2,,1,234.50,,n2", // unquoted comma: one cell too many
      'BBBB-2,,"1,234.50",,n2',
      "CCCC-3,3333,,2027-06-30T10:00:00+02:00,",
      "DDDD-4,4444,-3,,",
      "EEEE-5,5555,3,31/12/2027,",
      ",6666,3,,",
    ].join("\n");
    const { lines } = await parseAll(utf8(file), { format: "csv", map: { code: "Serial", pin: "PIN", cost: "Cost", expiry: "Expires" } });
    expect(lines).toEqual([
      key(2, "AAAA-1", { pin: "1111" }, { costMinor: 1250, expiresAt: "2027-01-31T23:59:59.999Z" }),
      invalid(3, "bad_csv_row"),
      key(4, "BBBB-2", {}, { costMinor: 123450 }),
      key(5, "CCCC-3", { pin: "3333" }, { expiresAt: "2027-06-30T08:00:00.000Z" }),
      invalid(6, "bad_cost"),
      invalid(7, "bad_expiry"),
      invalid(8, "empty_code"),
    ]);
  });

  it("uses costDigits for the currency's minor unit", async () => {
    const { lines } = await parseAll(utf8("code,cost\nA,1200\nB,12.5\n"), { format: "csv", map: { cost: "cost" }, costDigits: 0 });
    expect(lines).toEqual([key(2, "A", {}, { costMinor: 1200 }), invalid(3, "bad_cost")]);
  });

  it("keeps quoted commas, quotes and newlines, and the line numbers of the rows after them", async () => {
    const file = 'code,pin\r\n"AAAA,1","multi\r\nline\r\npin"\r\n\r\n"BB""B-2",2\r\nCCCC-3,"x\ny"\nDDDD-4,4\r\n';
    for (const chunkSize of [1, 7, 4096]) {
      const { lines } = await parseAll(utf8(file), { format: "csv" }, chunkSize);
      expect(lines).toEqual([
        key(2, "AAAA,1", { pin: "multi\r\nline\r\npin" }),
        key(6, 'BB"B-2', { pin: "2" }),
        key(7, "CCCC-3", { pin: "x\ny" }),
        key(9, "DDDD-4", { pin: "4" }),
      ]);
    }
  });

  it("reports rows with too many or too few columns and blank lines, and goes on", async () => {
    const file = "code,pin\n\nA,1\nB,2,extra\n   \n,,\nC\nD,4\n";
    expect((await parseAll(utf8(file), { format: "csv" })).lines).toEqual([
      key(3, "A", { pin: "1" }),
      invalid(4, "bad_csv_row"),
      invalid(7, "bad_csv_row"),
      key(8, "D", { pin: "4" }),
    ]);
  });

  it("accepts CR-only and mixed line endings in one CSV", async () => {
    const file = "code,pin\rA,1\rB,2\r\n\nC,3\nD,4";
    for (const chunkSize of [1, 4096]) {
      expect((await parseAll(utf8(file), { format: "csv" }, chunkSize)).lines).toEqual([
        key(2, "A", { pin: "1" }),
        key(3, "B", { pin: "2" }),
        key(5, "C", { pin: "3" }),
        key(6, "D", { pin: "4" }),
      ]);
    }
  });

  it("finds the default code column and keeps other columns as fields when there is no map", async () => {
    const file = "序号,卡号,密码\r\n1,6200001111,123456\r\n2,6200002222,\r\n";
    expect(await parseAll(gb(file), { format: "csv" }, 5)).toEqual({
      encoding: "gb18030",
      lines: [key(2, "6200001111", { 序号: "1", 密码: "123456" }), key(3, "6200002222", { 序号: "2" })],
    });
  });

  it("reads a GB18030 CSV with a Chinese header through a map", async () => {
    const file = "卡号,密码,面值\r\n6200001111,密码一,100\r\n";
    expect(await parseAll(gb(file), { format: "csv", map: { code: "卡号", pin: "密码" } })).toEqual({
      encoding: "gb18030",
      lines: [key(2, "6200001111", { pin: "密码一" })],
    });
  });

  it("reads a UTF-16LE CSV with a BOM and a UTF-8 one with a BOM before the header", async () => {
    const file = "Code,PIN\r\nAAAA-1,1\r\n";
    const lines = [key(2, "AAAA-1", { pin: "1" })];
    expect(await parseAll(utf16(file, "le"), { format: "csv", map: { pin: "PIN" } })).toEqual({ encoding: "utf-16le", lines });
    expect(await parseAll(utf8("\uFEFF" + file), { format: "csv", map: { code: "Code", pin: "PIN" } }, 1)).toEqual({ encoding: "utf-8", lines });
  });

  it("applies the length limits to codes and fields", async () => {
    const file = `code,pin\n${"A".repeat(513)},1\nB,${"p".repeat(1025)}\nC,${"p".repeat(1024)}\n`;
    expect((await parseAll(utf8(file), { format: "csv" })).lines).toEqual([
      invalid(2, "code_too_long"),
      invalid(3, "field_too_long"),
      key(4, "C", { pin: "p".repeat(1024) }),
    ]);
  });
});

describe("parseKeyFile: cells and lines that hold no code (issue 19)", () => {
  // A line that shows nothing (whitespace of any kind, BOMs, zero-width characters) is blank:
  // skipped like an empty line. A line or code cell with something in it but no code (only quote
  // marks or separators) is an empty code: reported with its line. Invisible characters at the
  // ends of a code are stripped; inside one they are refused.
  const txt = [
    "卡密-AAAA-1", // 1
    '""', // 2: TXT has no quoting, but a line of quotes holds no code
    ' "" ', // 3
    '"   "', // 4
    " \t\u00A0\u3000\u2003", // 5: blank (Unicode White_Space)
    "\uFEFF", // 6: blank (a BOM mid-file)
    "\u200B\u200C\u200D\u2060\uFEFF", // 7: blank (zero-width only)
    ",", // 8
    ";", // 9
    "\u200B卡密-BBBB-2\uFEFF", // 10: stripped at the ends
    "CC\u200BCC-3", // 11: invisible inside
    "\u0085DDDD-4\u00A0", // 12: NEL and NBSP are whitespace
    "“”", // 13: curly quotes (what a Chinese IME types)
    'EE"EE-5', // 14: quotes inside a code are kept
    "FF\u200DFF-6", // 15: a joiner inside is invisible too
  ].join("\r\n");
  const txtLines = [
    key(1, "卡密-AAAA-1"),
    invalid(2, "empty_code"),
    invalid(3, "empty_code"),
    invalid(4, "empty_code"),
    invalid(8, "empty_code"),
    invalid(9, "empty_code"),
    key(10, "卡密-BBBB-2"),
    invalid(11, "invisible_character"),
    key(12, "DDDD-4"),
    invalid(13, "empty_code"),
    key(14, 'EE"EE-5'),
    invalid(15, "invisible_character"),
  ];
  const csv = [
    "\u200Bcode,pin", // 1: the header's cells are cleaned the same way
    ' "" ,1', // 2: relaxed quotes keep the quotes of a cell that does not start with one
    '"",2', // 3
    '"   ",3', // 4
    ' "   " ,4', // 5
    ",", // 6: blank
    ";,5", // 7
    "\u200B,\uFEFF", // 8: blank
    "\u00A0\u3000,\t", // 9: blank
    "\u200B卡密-AAAA-1\u2060,6", // 10
    "AA\u200BAA,7", // 11
    '"""",8', // 12: one escaped quote
    '卡密-BBBB-2, "" ', // 13: an optional cell of quotes is absent
    ",9", // 14
    "\t", // 15: blank
    "\uFEFF", // 16: blank
    "“”,10", // 17
  ].join("\r\n");
  const csvLines = [
    invalid(2, "empty_code"),
    invalid(3, "empty_code"),
    invalid(4, "empty_code"),
    invalid(5, "empty_code"),
    invalid(7, "empty_code"),
    key(10, "卡密-AAAA-1", { pin: "6" }),
    invalid(11, "invisible_character"),
    invalid(12, "empty_code"),
    key(13, "卡密-BBBB-2"),
    invalid(14, "empty_code"),
    invalid(17, "empty_code"),
  ];
  const encodings = [
    ["utf-8", utf8],
    ["utf-16le", (text: string) => utf16(text, "le")],
    ["gb18030", gb],
  ] as const;

  for (const [encoding, encode] of encodings) {
    it(`TXT in ${encoding}`, async () => {
      for (const chunkSize of [1, 4096]) {
        expect(await parseAll(encode(txt), { format: "txt" }, chunkSize)).toEqual({ encoding, lines: txtLines });
      }
    });

    it(`CSV in ${encoding}`, async () => {
      for (const chunkSize of [1, 4096]) {
        expect(await parseAll(encode(csv), { format: "csv" }, chunkSize)).toEqual({ encoding, lines: csvLines });
      }
    });
  }

  it("finds a header name behind a stray BOM or zero-width space", async () => {
    const file = "序号,\u200B卡号\uFEFF,\u2060PIN\r\n1,AAAA-1,11\r\n";
    expect((await parseAll(utf8(file), { format: "csv", map: { pin: "PIN" } })).lines).toEqual([key(2, "AAAA-1", { pin: "11" })]);
  });

  it("a one-column CSV: a cell of quotes or a separator is an empty code, an invisible one a blank line", async () => {
    const file = 'code\n "" \n;\n\u200B\n|\nAAAA-1\n';
    expect((await parseAll(utf8(file), { format: "csv" })).lines).toEqual([
      invalid(2, "empty_code"),
      invalid(3, "empty_code"),
      invalid(5, "empty_code"),
      key(6, "AAAA-1"),
    ]);
  });
});

describe("parseKeyFile: refused files", () => {
  it("refuses an empty file, blank lines only (zero-width ones too), a BOM only, or a CSV header only", async () => {
    for (const [bytes, format] of [
      [new Uint8Array(0), "txt"],
      [utf8(" \r\n\n\t\n"), "txt"],
      [utf8("\uFEFF"), "txt"],
      [utf16("", "le"), "txt"],
      [new Uint8Array(0), "csv"],
      [utf8("code,pin\r\n"), "csv"],
      [utf8("\uFEFFcode,pin\n\n,\n"), "csv"],
      [utf8("\u200B\n\uFEFF\n\u00A0\u3000\n\u2060"), "txt"],
      [utf8("code,pin\n\u200B,\uFEFF\n"), "csv"],
    ] as const) {
      expect(await parseError(bytes, { format })).toEqual({ kind: "invalid_input", code: "empty_file", params: {}, yielded: 0 });
    }
  });

  it("refuses binary files", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 2, 0, 0, 0, 1, 0x80]);
    expect(await parseError(png, { format: "txt" })).toMatchObject({ code: "binary_file", yielded: 0 });
    expect(await parseError(png, { format: "csv" })).toMatchObject({ code: "binary_file", yielded: 0 });
    expect(await parseError(png, { format: "txt", encoding: "utf-8" })).toMatchObject({ code: "binary_file", yielded: 0 });
    expect(await parseError(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x80, 0xff]), { format: "txt" })).toMatchObject({ code: "binary_file", yielded: 0 });
  });

  it("refuses a forced encoding the bytes are not valid in", async () => {
    expect(await parseError(gb("卡号,密码\r\n6200001111,密码一\r\n"), { format: "csv", encoding: "utf-8" })).toEqual({
      kind: "invalid_input",
      code: "wrong_encoding",
      params: { encoding: "utf-8" },
      yielded: 0,
    });
    expect(await parseError(utf16("AAAA\r\n", "le"), { format: "txt", encoding: "utf-16be" })).toMatchObject({
      code: "wrong_encoding",
      params: { encoding: "utf-16be" },
    });
  });

  it("honours a forced encoding over what detection would choose", async () => {
    const bytes = new Uint8Array([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x0a]); // UTF-8 "café", GB18030 "caf茅"
    expect(await parseAll(bytes, { format: "txt" })).toEqual({ encoding: "utf-8", lines: [key(1, "café")] });
    expect(await parseAll(bytes, { format: "txt", encoding: "gb18030" })).toEqual({ encoding: "gb18030", lines: [key(1, "caf茅")] });
  });

  it("detects UTF-8 whose 64 KiB detection head ends inside a character (valid GB18030 when cut)", async () => {
    // "卡密\n" is 7 UTF-8 bytes: the head (65,536 bytes) ends after E5 8D, the first two bytes of 卡
    const bytes = utf8("卡密\n".repeat(20_000));
    const { encoding, lines } = await parseAll(bytes, { format: "txt" });
    expect(encoding).toBe("utf-8");
    expect(lines).toHaveLength(20_000);
    expect(lines[9362]).toEqual(key(9363, "卡密"));
  });

  it("refuses invalid bytes found after the detection head, after the lines before them", async () => {
    const head = "AAAA-0001\n".repeat(8000); // 80,000 bytes of ASCII: detected as UTF-8
    const bytes = new Uint8Array([...utf8(head), ...gb("卡密\n")]);
    const refused = await parseError(bytes, { format: "txt" });
    expect(refused).toMatchObject({ code: "wrong_encoding", params: { encoding: "utf-8" } });
    expect(refused.yielded).toBeGreaterThan(0); // the caller must treat a throw from lines as refusing the file
    expect((await parseAll(bytes, { format: "txt", encoding: "gb18030" })).lines.at(-1)).toEqual(key(8001, "卡密"));
  });

  it("passes errors found late in a CSV through unchanged", async () => {
    const head = "code,pin\n" + "AAAA-0001,1\n".repeat(8000);
    const badBytes = new Uint8Array([...utf8(head), ...gb("卡密,2\n")]);
    const refused = await parseError(badBytes, { format: "csv" }, 4096);
    expect(refused).toMatchObject({ kind: "invalid_input", code: "wrong_encoding", params: { encoding: "utf-8" } });
    expect(refused.yielded).toBeGreaterThan(0);
    const tooBig = await parseError(utf8(head), { format: "csv", maxBytes: 90_000 }, 4096);
    expect(tooBig).toMatchObject({ kind: "invalid_input", code: "file_too_large", params: { limit: 90_000 } });
  });

  it("refuses a CSV whose mapped column is missing", async () => {
    expect(await parseError(utf8("Serial,PIN\nA,1\n"), { format: "csv", map: { code: "Serial", pin: "Password" } })).toEqual({
      kind: "invalid_input",
      code: "csv_missing_column",
      params: { column: "Password" },
      yielded: 0,
    });
    expect(await parseError(utf8("Serial,PIN\n"), { format: "csv", map: { code: "Code" } })).toMatchObject({ code: "csv_missing_column", params: { column: "Code" } });
  });

  it("refuses a file over maxBytes, before any line when the head is over it", async () => {
    const small = utf8("AAAA-1\nBBBB-2\n");
    expect(await parseError(small, { format: "txt", maxBytes: 10 }, 4)).toEqual({ kind: "invalid_input", code: "file_too_large", params: { limit: 10 }, yielded: 0 });
    expect((await parseAll(small, { format: "txt", maxBytes: small.length }, 4)).lines).toHaveLength(2);

    const big = utf8("AAAA-0001\n".repeat(20_000)); // 200,000 bytes
    const refused = await parseError(big, { format: "txt", maxBytes: 150_000 }, 16 * 1024);
    expect(refused).toMatchObject({ code: "file_too_large", params: { limit: 150_000 } });
    expect(refused.yielded).toBeGreaterThan(0);
    expect(refused.yielded).toBeLessThan(15_000);
  });

  it("refuses a CSV whose quote is never closed, naming the line it opens on", async () => {
    const file = 'code,pin\r\nA,1\r\n\r\n"B,2\r\nC,3\r\nD,4\r\n';
    expect(await parseError(utf8(file), { format: "csv" }, 5)).toMatchObject({ code: "csv_unclosed_quote", params: { line: 4 } });
  });

  it("refuses a CSV record longer than the record limit", async () => {
    const file = `code,pin\nA,1\n"${"x".repeat(1_100_000)}`;
    expect(await parseError(utf8(file), { format: "csv" })).toMatchObject({ code: "csv_record_too_large", params: { line: 3 } });
  });

  it("never puts key text into an error or an invalid line", async () => {
    const secret = "SECRET-CODE-4711";
    const outcomes: unknown[] = [];
    for (const file of [`code,pin\n"${secret},1\n`, `code,pin\n${secret},1,2\n`, `code\n${secret}${"x".repeat(600)}\n`]) {
      try {
        const result = await parseKeyFile(chunked(utf8(file)), { format: "csv", map: { code: "code" } });
        outcomes.push(await collect(result.lines));
      } catch (error) {
        outcomes.push({ error: String(error), stack: (error as Error).stack, ...(error as object) });
      }
    }
    expect(outcomes).toHaveLength(3);
    expect(JSON.stringify(outcomes)).not.toContain("SECRET");
  });
});
