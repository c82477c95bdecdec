import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeText } from "./decode-text.ts";
import { chunked, utf16, utf8 } from "./test-input.ts";
import type { TextEncodingName } from "./types.ts";

async function decode(bytes: Uint8Array, encoding: TextEncodingName, bomBytes: number, size: number): Promise<string> {
  let text = "";
  for await (const part of decodeText(chunked(bytes, size), encoding, bomBytes)) text += part;
  return text;
}

describe("decodeText", () => {
  const sample = "卡号,密码\r\n😀 ABC-1,pïn\r\n";

  it("decodes every supported encoding with characters split across 1-byte chunks", async () => {
    expect(await decode(utf8("\uFEFF" + sample), "utf-8", 3, 1)).toBe(sample);
    expect(await decode(utf16(sample, "le"), "utf-16le", 2, 1)).toBe(sample);
    expect(await decode(utf16(sample, "be"), "utf-16be", 2, 3)).toBe(sample);
    expect(await decode(new Uint8Array(iconv.encode(sample, "gb18030")), "gb18030", 0, 1)).toBe(sample);
  });

  it("keeps a second BOM as content", async () => {
    expect(await decode(utf8("\uFEFF\uFEFFa"), "utf-8", 3, 2)).toBe("\uFEFFa");
  });

  it("refuses invalid bytes, a sequence cut at the end, and NUL characters", async () => {
    await expect(decode(new Uint8Array([0x61, 0xff, 0x62]), "utf-8", 0, 1)).rejects.toMatchObject({ code: "wrong_encoding", params: { encoding: "utf-8" } });
    await expect(decode(utf8("ab卡").subarray(0, 4), "utf-8", 0, 8)).rejects.toMatchObject({ code: "wrong_encoding" });
    await expect(decode(utf8("ab\u0000"), "utf-8", 0, 8)).rejects.toMatchObject({ code: "binary_file" });
  });
});
