import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { detectEncoding, resolveEncoding } from "./detect-encoding.ts";
import { utf16, utf8 } from "./test-input.ts";

function refused(fn: () => unknown): { code: string; params: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    const { code, params } = error as { code: string; params: Record<string, unknown> };
    return { code, params };
  }
  throw new Error("expected a refusal");
}

const gb = (text: string) => new Uint8Array(iconv.encode(text, "gb18030"));
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);

describe("detectEncoding", () => {
  it("recognises byte order marks and reports their length", () => {
    expect(detectEncoding(utf8("\uFEFFabc"), true)).toEqual({ encoding: "utf-8", bomBytes: 3 });
    expect(detectEncoding(utf16("abc", "le"), true)).toEqual({ encoding: "utf-16le", bomBytes: 2 });
    expect(detectEncoding(utf16("abc", "be"), true)).toEqual({ encoding: "utf-16be", bomBytes: 2 });
    expect(detectEncoding(new Uint8Array([0x84, 0x31, 0x95, 0x33, ...gb("卡号")]), true)).toEqual({ encoding: "gb18030", bomBytes: 4 });
  });

  it("takes valid UTF-8 as UTF-8 and other valid GB18030 as GB18030", () => {
    expect(detectEncoding(utf8("ABC-123\n卡密\n"), true)).toEqual({ encoding: "utf-8", bomBytes: 0 });
    expect(detectEncoding(utf8(""), true)).toEqual({ encoding: "utf-8", bomBytes: 0 });
    expect(detectEncoding(gb("卡号,密码\r\n1234,卡密一\r\n"), true)).toEqual({ encoding: "gb18030", bomBytes: 0 });
  });

  it("does not hold a character cut at the end of a sample against it", () => {
    // UTF-8 "卡密" is E5 8D A1 E5 AF 86; cut after E5 8D it is invalid UTF-8 but valid GB18030
    const cut = utf8("卡密\n".repeat(10) + "卡").subarray(0, 7 * 10 + 2);
    expect(detectEncoding(cut, false)).toEqual({ encoding: "utf-8", bomBytes: 0 });
    expect(detectEncoding(cut, true)).toEqual({ encoding: "gb18030", bomBytes: 0 });

    const gbCut = gb("卡号卡号").subarray(0, 7); // ends with a GB18030 lead byte
    expect(detectEncoding(gbCut, false)).toEqual({ encoding: "gb18030", bomBytes: 0 });
    expect(refused(() => detectEncoding(gbCut, true)).code).toBe("binary_file");

    const le = utf16("ab😀", "le");
    expect(detectEncoding(le.subarray(0, le.length - 1), false)).toEqual({ encoding: "utf-16le", bomBytes: 2 }); // odd byte
    expect(detectEncoding(le.subarray(0, le.length - 2), false)).toEqual({ encoding: "utf-16le", bomBytes: 2 }); // lone high surrogate
    expect(refused(() => detectEncoding(le.subarray(0, le.length - 2), true))).toEqual({ code: "wrong_encoding", params: { encoding: "utf-16le" } });
  });

  it("refuses binary: NUL bytes without a UTF-16 BOM, or bytes valid in no encoding", () => {
    expect(refused(() => detectEncoding(png, false)).code).toBe("binary_file");
    expect(refused(() => detectEncoding(utf8("abc\u0000def"), true)).code).toBe("binary_file");
    expect(refused(() => detectEncoding(new Uint8Array([0x41, 0xff, 0xfe, 0x80, 0xff]), true)).code).toBe("binary_file");
    expect(refused(() => detectEncoding(utf16("ab\u0000", "le"), true)).code).toBe("binary_file");
    expect(refused(() => detectEncoding(utf16("abc", "le", false), true)).code).toBe("binary_file"); // UTF-16 needs its BOM
  });
});

describe("resolveEncoding", () => {
  it("lets the user's encoding win, stripping its BOM", () => {
    expect(resolveEncoding(utf8("abc"), true, "gb18030")).toEqual({ encoding: "gb18030", bomBytes: 0 });
    expect(resolveEncoding(utf8("\uFEFFabc"), true, "utf-8")).toEqual({ encoding: "utf-8", bomBytes: 3 });
    expect(resolveEncoding(utf16("abc", "le", false), true, "utf-16le")).toEqual({ encoding: "utf-16le", bomBytes: 0 });
    expect(resolveEncoding(utf16("abc", "be"), true, "utf-16be")).toEqual({ encoding: "utf-16be", bomBytes: 2 });
    expect(resolveEncoding(gb("卡号"), true, undefined)).toEqual({ encoding: "gb18030", bomBytes: 0 });
  });

  it("refuses an encoding the bytes are not valid in, or whose BOM they do not carry", () => {
    expect(refused(() => resolveEncoding(gb("卡号,密码\r\n"), true, "utf-8"))).toEqual({ code: "wrong_encoding", params: { encoding: "utf-8" } });
    expect(refused(() => resolveEncoding(utf16("abc", "le"), true, "utf-16be"))).toEqual({ code: "wrong_encoding", params: { encoding: "utf-16be" } });
    expect(refused(() => resolveEncoding(utf8("\uFEFFabc"), true, "gb18030"))).toEqual({ code: "wrong_encoding", params: { encoding: "gb18030" } });
    expect(refused(() => resolveEncoding(png, true, "utf-8")).code).toBe("binary_file");
  });
});
