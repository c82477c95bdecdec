import { describe, expect, it } from "vitest";
import { HEAD_BYTES } from "./limits.ts";
import { parseKeyFile } from "./parse-key-file.ts";
import type { ParsedLine } from "./types.ts";

const LINES = 200_000;
const CHUNK = 64 * 1024;

/**
 * A generated file, produced chunk by chunk as it is read (never whole in memory). Every data
 * line has the same byte length, so the offset where line N ends is known.
 */
function generated(format: "txt" | "csv") {
  const header = format === "csv" ? "code,pin\n" : "";
  const row = (i: number) => (format === "csv" ? `K${String(i).padStart(9, "0")},${String(i % 1_000_000).padStart(6, "0")}\n` : `K${String(i).padStart(9, "0")}\n`);
  const rowBytes = row(0).length;
  const firstDataLine = format === "csv" ? 2 : 1;
  const input = {
    pulled: 0,
    closed: false,
    /** byte offset just after physical line `line` */
    endOf: (line: number) => header.length + (line - firstDataLine + 1) * rowBytes,
    size: header.length + LINES * rowBytes,
    async *[Symbol.asyncIterator]() {
      const encoder = new TextEncoder();
      try {
        let text = header;
        for (let i = 0; i < LINES; i++) {
          text += row(i);
          if (text.length >= CHUNK) {
            input.pulled += text.length;
            yield encoder.encode(text);
            text = "";
          }
        }
        input.pulled += text.length;
        if (text.length > 0) yield encoder.encode(text);
      } finally {
        input.closed = true;
      }
    },
  };
  return input;
}

describe("parseKeyFile streams", () => {
  for (const format of ["txt", "csv"] as const) {
    it(`parses ${LINES} ${format} lines reading at most a few chunks ahead`, async () => {
      const input = generated(format);
      const result = await parseKeyFile(input, { format });
      expect(input.pulled).toBeLessThan(HEAD_BYTES + 2 * CHUNK + 1024); // the head and a chunk of read-ahead

      let count = 0;
      let maxAhead = 0;
      let first: ParsedLine | undefined;
      let last: ParsedLine | undefined;
      for await (const line of result.lines) {
        count++;
        first ??= line;
        last = line;
        maxAhead = Math.max(maxAhead, input.pulled - input.endOf(line.line));
      }
      const dataLine = format === "csv" ? 2 : 1;
      const fields = (pin: string): Record<string, string> => (format === "csv" ? { pin } : {});
      expect(count).toBe(LINES);
      expect(first).toEqual({ kind: "key", line: dataLine, code: "K000000000", fields: fields("000000") });
      expect(last).toEqual({ kind: "key", line: dataLine + LINES - 1, code: `K${String(LINES - 1).padStart(9, "0")}`, fields: fields("199999") });
      expect(input.size).toBeGreaterThan(2_000_000);
      expect(maxAhead).toBeLessThan(512 * 1024); // bounded read-ahead, not the file
      expect(input.closed).toBe(true);
    });

    it(`reads a ${format} file only as far as its lines are taken, and releases it on return()`, async () => {
      const input = generated(format);
      const result = await parseKeyFile(input, { format });
      const taken: ParsedLine[] = [];
      for await (const line of result.lines) {
        taken.push(line);
        if (taken.length === 10) break;
      }
      expect(taken.map((l) => l.line)).toEqual(Array.from({ length: 10 }, (_, i) => i + (format === "csv" ? 2 : 1)));
      expect(input.pulled).toBeLessThan(512 * 1024);
      expect(input.closed).toBe(true);

      const untouched = generated(format);
      const unread = await parseKeyFile(untouched, { format });
      expect(untouched.closed).toBe(false);
      await unread.lines.return(undefined);
      expect(untouched.closed).toBe(true);
    });
  }

  it("releases the input when the file is refused", async () => {
    const input = generated("csv");
    await expect(parseKeyFile(input, { format: "csv", map: { code: "Serial" } })).rejects.toMatchObject({ code: "csv_missing_column" });
    expect(input.closed).toBe(true);
    const forced = generated("txt");
    await expect(parseKeyFile(forced, { format: "txt", maxBytes: 1000 })).rejects.toMatchObject({ code: "file_too_large" });
    expect(forced.closed).toBe(true);
  });
});
