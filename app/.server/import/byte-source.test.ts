import { describe, expect, it } from "vitest";
import { readHead } from "./byte-source.ts";
import { chunked } from "./test-input.ts";

async function all(chunks: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of chunks) out.push(...chunk);
  return out;
}
const bytes = (n: number) => new Uint8Array(Array.from({ length: n }, (_, i) => i % 251));

describe("readHead", () => {
  it("reads just enough chunks for the head and replays them", async () => {
    const input = chunked(bytes(100), 8);
    const source = await readHead(input, { headBytes: 20 });
    expect([...source.head]).toEqual([...bytes(20)]);
    expect(source.isComplete).toBe(false);
    expect(input.pulled).toBe(24);
    expect(await all(source.chunks)).toEqual([...bytes(100)]);
    expect(input.closed).toBe(true);
  });

  it("marks a file shorter than the head complete", async () => {
    const source = await readHead(chunked(bytes(10), 4), { headBytes: 20 });
    expect(source.head.length).toBe(10);
    expect(source.isComplete).toBe(true);
    expect(await all(source.chunks)).toEqual([...bytes(10)]);
    const empty = await readHead(chunked(new Uint8Array(0)), { headBytes: 20 });
    expect(empty.head.length).toBe(0);
    expect(empty.isComplete).toBe(true);
  });

  it("refuses more than maxBytes, in the head or later, and closes the input", async () => {
    const early = chunked(bytes(100), 8);
    await expect(readHead(early, { headBytes: 64, maxBytes: 30 })).rejects.toMatchObject({ code: "file_too_large", params: { limit: 30 } });
    expect(early.closed).toBe(true);

    const late = chunked(bytes(100), 8);
    const source = await readHead(late, { headBytes: 16, maxBytes: 99 });
    await expect(all(source.chunks)).rejects.toMatchObject({ code: "file_too_large", params: { limit: 99 } });
    expect(late.closed).toBe(true);

    expect((await all((await readHead(chunked(bytes(100), 8), { headBytes: 16, maxBytes: 100 })).chunks)).length).toBe(100);
  });

  it("close() releases an input whose chunks are never read", async () => {
    const input = chunked(bytes(100), 8);
    const source = await readHead(input, { headBytes: 16 });
    expect(input.closed).toBe(false);
    await source.close();
    expect(input.closed).toBe(true);
  });
});
