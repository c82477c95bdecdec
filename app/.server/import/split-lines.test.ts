import { describe, expect, it } from "vitest";
import { splitLines, type TextLine } from "./split-lines.ts";

async function split(chunks: string[], maxChars = 100): Promise<TextLine[]> {
  const out: TextLine[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const line of splitLines(source(), maxChars)) out.push(line);
  return out;
}
const ok = (line: number, text: string): TextLine => ({ line, text, overlong: false });

describe("splitLines", () => {
  it("splits at LF, CRLF and CR and counts blank lines", async () => {
    expect(await split(["a\nb\r\nc\rd\n\n\r\n\re"])).toEqual([ok(1, "a"), ok(2, "b"), ok(3, "c"), ok(4, "d"), ok(5, ""), ok(6, ""), ok(7, ""), ok(8, "e")]);
  });

  it("does not yield an empty line after a final break", async () => {
    expect(await split(["a\n"])).toEqual([ok(1, "a")]);
    expect(await split(["a\r\n"])).toEqual([ok(1, "a")]);
    expect(await split([""])).toEqual([]);
  });

  it("joins lines split across chunks, and a CRLF split between chunks is one break", async () => {
    expect(await split(["ab", "c\r", "\nde", "f\r", "g", "\r", "", "\n"])).toEqual([ok(1, "abc"), ok(2, "def"), ok(3, "g")]);
    const text = "x1\r\ny2\r\r\nz3\n";
    const oneByOne = await split([...text]);
    expect(oneByOne).toEqual(await split([text]));
    expect(oneByOne).toEqual([ok(1, "x1"), ok(2, "y2"), ok(3, ""), ok(4, "z3")]);
  });

  it("reports an overlong line without buffering it, and carries on", async () => {
    const lines = await split(["ab\n", "x".repeat(6), "x".repeat(6), "y".repeat(6), "\ncd"], 10);
    expect(lines).toEqual([ok(1, "ab"), { line: 2, text: "", overlong: true }, ok(3, "cd")]);
    expect(await split(["123456789012"], 10)).toEqual([{ line: 1, text: "", overlong: true }]);
    expect(await split(["1234567890\n"], 10)).toEqual([ok(1, "1234567890")]);
  });
});
