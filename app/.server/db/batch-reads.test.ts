import { describe, expect, it } from "vitest";
import { batchRead, forgetBatchRead, withBatchReads } from "./batch-reads.ts";
import type { Executor } from "./repositories/job-rows.ts";

const plain = { isTransaction: false } as Executor;
const trx = { isTransaction: true } as Executor;

function counter() {
  let reads = 0;
  return { read: async () => ({ n: ++reads }), get reads() { return reads; } };
}

describe("batch reads", () => {
  it("reads a row once per batch, and again in the next batch", async () => {
    const c = counter();
    await withBatchReads(async () => {
      const [a, b] = await Promise.all([batchRead(plain, "store:1", c.read), batchRead(plain, "store:1", c.read)]);
      expect(a).toEqual({ n: 1 });
      expect(b).toEqual({ n: 1 });
      await batchRead(plain, "store:2", c.read);
    });
    expect(c.reads).toBe(2);
    await withBatchReads(() => batchRead(plain, "store:1", c.read));
    expect(c.reads).toBe(3);
  });

  it("remembers nothing outside a batch, in a transaction, after a write, after a failed read, or once the batch ended", async () => {
    const c = counter();
    await batchRead(plain, "k", c.read);
    await batchRead(plain, "k", c.read);
    expect(c.reads).toBe(2);
    let late: Promise<unknown> = Promise.resolve();
    await withBatchReads(async () => {
      await batchRead(trx, "k", c.read);
      await batchRead(trx, "k", c.read);
      expect(c.reads).toBe(4);
      await batchRead(plain, "k", c.read);
      forgetBatchRead("k");
      await batchRead(plain, "k", c.read);
      expect(c.reads).toBe(6);
      await expect(batchRead(plain, "bad", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
      await expect(batchRead(plain, "bad", c.read)).resolves.toEqual({ n: 7 });
      // Work started in the batch that runs after it (a timer) reads the database again.
      late = new Promise((r) => setTimeout(r, 10)).then(() => batchRead(plain, "k", c.read));
    });
    await late;
    expect(c.reads).toBe(8);
  });
});
