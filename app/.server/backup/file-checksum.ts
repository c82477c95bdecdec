import crypto from "node:crypto";
import fs from "node:fs";
import { pipeline } from "node:stream/promises";

/** SHA-256 of a file, streamed (a backup can be larger than memory). */
export async function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  await pipeline(fs.createReadStream(file), async function* (source) {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      hash.update(chunk);
    }
  });
  return { sha256: hash.digest("hex"), bytes };
}
