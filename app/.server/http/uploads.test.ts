import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimUpload, cleanSourceName, deleteUpload, findUpload, readUpload, saveUpload, sweepUploads } from "./uploads.ts";

let dir: string;
const owner = { accountId: "acc-1", poolId: "pool-1" };

beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-uploads-")), "imports");
});
afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

async function text(it: AsyncIterable<Uint8Array>): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out).toString();
}

describe("uploads", () => {
  it("streams a body to a 0600 file in a 0700 directory, bound to its account and pool", async () => {
    const meta = await saveUpload({ tmpDir: dir, maxBytes: 100 }, chunks("ABCD-1\n", "ABCD-2\n"), { ...owner, sourceName: "C:\\keys\\in.csv", pasted: false });
    expect(meta).toMatchObject({ ...owner, sourceName: "in.csv", bytes: 14, pasted: false });
    expect(meta.id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    expect(await findUpload(dir, meta.id, owner)).toEqual(meta);
    expect(await text(readUpload(dir, meta.id))).toBe("ABCD-1\nABCD-2\n");
    // Another account or pool, or a made-up id, finds nothing.
    await expect(findUpload(dir, meta.id, { accountId: "acc-2", poolId: "pool-1" })).rejects.toMatchObject({ code: "upload_not_found" });
    await expect(findUpload(dir, meta.id, { accountId: "acc-1", poolId: "pool-2" })).rejects.toMatchObject({ code: "upload_not_found" });
    await expect(findUpload(dir, "../../etc/passwd", owner)).rejects.toMatchObject({ code: "upload_not_found" });
  });

  it("refuses more than maxBytes, declared or streamed, and leaves no partial file", async () => {
    await expect(saveUpload({ tmpDir: dir, maxBytes: 10 }, chunks("x"), { ...owner, sourceName: "a.txt", pasted: false, declaredBytes: 11 })).rejects.toMatchObject({
      code: "file_too_large",
      params: { limit: 10 },
    });
    await expect(saveUpload({ tmpDir: dir, maxBytes: 10 }, chunks("123456", "789012"), { ...owner, sourceName: "a.txt", pasted: false })).rejects.toMatchObject({
      code: "file_too_large",
    });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("is claimed once for the real import, then deleted", async () => {
    const meta = await saveUpload({ tmpDir: dir, maxBytes: 100 }, Buffer.from("K1\n"), { ...owner, sourceName: "", pasted: true });
    await claimUpload(dir, meta.id);
    await expect(claimUpload(dir, meta.id)).rejects.toMatchObject({ code: "upload_not_found" });
    await expect(findUpload(dir, meta.id, owner)).rejects.toMatchObject({ code: "upload_not_found" });
    await deleteUpload(dir, meta.id);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("sweeps abandoned uploads", async () => {
    await saveUpload({ tmpDir: dir, maxBytes: 100 }, Buffer.from("K1\n"), { ...owner, sourceName: "a.txt", pasted: false });
    expect(await sweepUploads(dir, 60_000)).toBe(0);
    expect(await sweepUploads(dir, 60_000, Date.now() + 120_000)).toBe(2);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("keeps only a file's own name", () => {
    expect(cleanSourceName("/tmp/x/供应商卡密.csv")).toBe("供应商卡密.csv");
    expect(cleanSourceName("a\u0000b\nc.txt")).toBe("abc.txt");
    expect(cleanSourceName(null)).toBe("");
    expect([...cleanSourceName("x".repeat(500))]).toHaveLength(200);
  });
});
