import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { InvalidInputError } from "../domain/errors.ts";

/**
 * A key file between its upload and its import. The admin uploads once; the dry run (preview)
 * and the real import both read the same file from disk. The bytes stream from the request to
 * the file and from the file to the parser: a 200 MB file is never in memory.
 *
 * Files live in `config.import.tmpDir` (mode 0700) under a random name, mode 0600, next to a
 * small JSON sidecar naming the account and pool they belong to: another account's admin who
 * guessed the name still could not use it. They are deleted after the import and swept after
 * UPLOAD_TTL_MS when abandoned.
 */

export interface UploadMeta {
  id: string;
  accountId: string;
  poolId: string;
  /** The file's own name (or "pasted text"), for the batch's record. Never its content. */
  sourceName: string;
  /** True when the admin pasted the keys instead of choosing a file. */
  pasted: boolean;
  bytes: number;
  createdAt: string;
}

export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
const ID = /^[A-Za-z0-9_-]{32}$/;

function dataPath(dir: string, id: string): string {
  return path.join(dir, `${id}.upload`);
}
function metaPath(dir: string, id: string): string {
  return path.join(dir, `${id}.json`);
}

export function uploadNotFound(): InvalidInputError {
  return new InvalidInputError("upload_not_found", "the uploaded file is gone; upload it again", { field: "file" });
}

function fileTooLarge(limit: number): InvalidInputError {
  return new InvalidInputError("file_too_large", `The file is larger than ${limit} bytes.`, { field: "file", params: { limit } });
}

/** A file name fit to show and store: no directories, no control characters, at most 200 characters. */
export function cleanSourceName(name: string | null | undefined): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  return [...base.replace(/[\u0000-\u001f\u007f]/g, "").trim()].slice(0, 200).join("");
}

/**
 * Streams `body` into a new upload file, refusing more than `maxBytes` (file_too_large, the
 * partial file removed) whether Content-Length said so up front or the stream ran over.
 */
export async function saveUpload(
  opts: { tmpDir: string; maxBytes: number },
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array | null,
  owner: { accountId: string; poolId: string; sourceName: string; pasted: boolean; declaredBytes?: number | null },
): Promise<UploadMeta> {
  if (owner.declaredBytes != null && owner.declaredBytes > opts.maxBytes) throw fileTooLarge(opts.maxBytes);
  await fs.promises.mkdir(opts.tmpDir, { recursive: true, mode: 0o700 });
  void sweepUploads(opts.tmpDir).catch(() => {});
  const id = crypto.randomBytes(24).toString("base64url");
  const file = dataPath(opts.tmpDir, id);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.byteLength;
      if (bytes > opts.maxBytes) done(fileTooLarge(opts.maxBytes));
      else done(null, chunk);
    },
  });
  const source =
    body === null
      ? Readable.from([])
      : body instanceof Uint8Array
        ? Readable.from([body])
        : Symbol.asyncIterator in body
          ? Readable.from(body as AsyncIterable<Uint8Array>)
          : Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  try {
    // "wx": a fresh file only; 0600: readable by this server's user alone.
    await pipeline(source, counter, fs.createWriteStream(file, { flags: "wx", mode: 0o600 }));
  } catch (e) {
    await fs.promises.rm(file, { force: true });
    throw e;
  }
  const meta: UploadMeta = {
    id,
    accountId: owner.accountId,
    poolId: owner.poolId,
    sourceName: cleanSourceName(owner.sourceName),
    pasted: owner.pasted,
    bytes,
    createdAt: new Date().toISOString(),
  };
  await fs.promises.writeFile(metaPath(opts.tmpDir, id), JSON.stringify(meta), { flag: "wx", mode: 0o600 });
  return meta;
}

/** The upload `id` if it exists and belongs to this account and pool; upload_not_found otherwise. */
export async function findUpload(tmpDir: string, id: string | null | undefined, owner: { accountId: string; poolId: string }): Promise<UploadMeta> {
  if (!id || !ID.test(id)) throw uploadNotFound();
  let meta: UploadMeta;
  try {
    meta = JSON.parse(await fs.promises.readFile(metaPath(tmpDir, id), "utf8")) as UploadMeta;
  } catch {
    throw uploadNotFound();
  }
  if (meta.accountId !== owner.accountId || meta.poolId !== owner.poolId || Date.now() - Date.parse(meta.createdAt) > UPLOAD_TTL_MS) {
    throw uploadNotFound();
  }
  if (!fs.existsSync(dataPath(tmpDir, id))) throw uploadNotFound();
  return meta;
}

/** The upload's bytes, streamed from disk. */
export function readUpload(tmpDir: string, id: string): AsyncIterable<Uint8Array> {
  return fs.createReadStream(dataPath(tmpDir, id), { highWaterMark: 256 * 1024 });
}

/** Up to `max` bytes from the start of the upload (to guess a pasted text's format). */
export async function uploadHead(tmpDir: string, id: string, max = 4096): Promise<Buffer> {
  const fh = await fs.promises.open(dataPath(tmpDir, id), "r");
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Takes the upload for the real import: its sidecar is renamed away first, so a second
 * "Import" click (or a second tab) finds it gone instead of importing the file twice.
 */
export async function claimUpload(tmpDir: string, id: string): Promise<void> {
  try {
    await fs.promises.rename(metaPath(tmpDir, id), path.join(tmpDir, `${id}.claimed`));
  } catch {
    throw uploadNotFound();
  }
}

export async function deleteUpload(tmpDir: string, id: string): Promise<void> {
  if (!ID.test(id)) return;
  await Promise.all(
    [dataPath(tmpDir, id), metaPath(tmpDir, id), path.join(tmpDir, `${id}.claimed`)].map((f) => fs.promises.rm(f, { force: true })),
  );
}

/** Removes uploads abandoned for longer than `ttlMs` (a preview never confirmed, a closed tab). */
export async function sweepUploads(tmpDir: string, ttlMs = UPLOAD_TTL_MS, now = Date.now()): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await fs.promises.readdir(tmpDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const full = path.join(tmpDir, name);
    try {
      const st = await fs.promises.stat(full);
      if (st.isFile() && now - st.mtimeMs > ttlMs) {
        await fs.promises.rm(full, { force: true });
        removed += 1;
      }
    } catch {
      // gone already
    }
  }
  return removed;
}
