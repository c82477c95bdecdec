import { importErrors } from "./import-errors.ts";
import type { TextEncodingName } from "./types.ts";

/**
 * Decodes a byte stream chunk by chunk (a character split across chunks is carried over by the
 * decoder), skipping the first `bomBytes` bytes. Bytes invalid in the encoding end the file
 * with `wrong_encoding`; a NUL character with `binary_file`.
 */
export async function* decodeText(
  chunks: AsyncIterable<Uint8Array>,
  encoding: TextEncodingName,
  bomBytes: number,
): AsyncGenerator<string> {
  // ignoreBOM: the BOM is skipped here by byte count, so a second U+FEFF stays content
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  let skip = bomBytes;
  for await (let chunk of chunks) {
    if (skip > 0) {
      const n = Math.min(skip, chunk.byteLength);
      chunk = chunk.subarray(n);
      skip -= n;
    }
    const text = decodeOrThrow(decoder, encoding, chunk, true);
    if (text.length > 0) yield text;
  }
  const rest = decodeOrThrow(decoder, encoding, undefined, false);
  if (rest.length > 0) yield rest;
}

function decodeOrThrow(decoder: TextDecoder, encoding: TextEncodingName, chunk: Uint8Array | undefined, stream: boolean): string {
  let text: string;
  try {
    text = decoder.decode(chunk, { stream });
  } catch {
    throw importErrors.wrongEncoding(encoding);
  }
  if (text.includes("\u0000")) throw importErrors.binaryFile();
  return text;
}
