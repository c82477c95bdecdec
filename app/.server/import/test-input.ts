/** Helpers for the import tests: byte inputs and collecting results. Not used by the app. */
import { KeyrelayError } from "../domain/errors.ts";
import { parseKeyFile } from "./parse-key-file.ts";
import type { ParsedLine, ParseOptions, TextEncodingName } from "./types.ts";

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function utf16(text: string, order: "le" | "be", withBom = true): Uint8Array {
  const le = Buffer.from((withBom ? "\uFEFF" : "") + text, "utf16le");
  return order === "le" ? new Uint8Array(le) : new Uint8Array(Buffer.from(le).swap16());
}

/** The bytes as an async stream of `size`-byte chunks; `pulled` counts what was read so far. */
export function chunked(bytes: Uint8Array, size = 64 * 1024): AsyncIterable<Uint8Array> & { pulled: number; closed: boolean } {
  const stream = {
    pulled: 0,
    closed: false,
    async *[Symbol.asyncIterator]() {
      try {
        for (let i = 0; i < bytes.length; i += size) {
          const chunk = bytes.subarray(i, i + size);
          stream.pulled += chunk.length;
          yield chunk;
        }
      } finally {
        stream.closed = true;
      }
    },
  };
  return stream;
}

export async function collect(lines: AsyncIterable<ParsedLine>): Promise<ParsedLine[]> {
  const out: ParsedLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/** Parses the whole file and returns the encoding and every line. */
export async function parseAll(
  bytes: Uint8Array,
  opts: ParseOptions,
  chunkSize?: number,
): Promise<{ encoding: TextEncodingName; lines: ParsedLine[] }> {
  const result = await parseKeyFile(chunked(bytes, chunkSize), opts);
  return { encoding: result.encoding, lines: await collect(result.lines) };
}

/** The code and params of the KeyrelayError that parsing the whole file throws (fails if none). */
export async function parseError(
  bytes: Uint8Array,
  opts: ParseOptions,
  chunkSize?: number,
): Promise<{ kind: string; code: string; params: Record<string, string | number>; yielded: number }> {
  let yielded = 0;
  try {
    const result = await parseKeyFile(chunked(bytes, chunkSize), opts);
    for await (const _ of result.lines) yielded++;
  } catch (error) {
    if (error instanceof KeyrelayError) return { kind: error.kind, code: error.code, params: error.params, yielded };
    throw error;
  }
  throw new Error("expected the file to be refused");
}

export const key = (line: number, code: string, fields: Record<string, string> = {}, extra: { costMinor?: number; expiresAt?: string } = {}) =>
  ({ kind: "key", line, code, fields, ...extra }) as const;
export const invalid = (line: number, reason: string) => ({ kind: "invalid", line, reason }) as const;
