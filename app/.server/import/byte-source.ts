import { importErrors } from "./import-errors.ts";

/**
 * The file's bytes, read once: the head (for encoding detection) is pulled first and replayed
 * at the start of `chunks`, so nothing is read twice and nothing beyond the head is buffered.
 */
export interface ByteSource {
  /** The first `headBytes` bytes (fewer when the file is shorter). */
  head: Uint8Array;
  /** The input ended within the head. */
  isComplete: boolean;
  /** Every chunk of the file from the first byte; enforces `maxBytes`. Iterate it at most once. */
  chunks: AsyncGenerator<Uint8Array>;
  /** Releases the input when `chunks` will not be iterated (it closes itself otherwise). */
  close(): Promise<void>;
}

export async function readHead(
  input: AsyncIterable<Uint8Array>,
  opts: { headBytes: number; maxBytes?: number },
): Promise<ByteSource> {
  const iterator = input[Symbol.asyncIterator]();
  const maxBytes = opts.maxBytes ?? Infinity;
  let total = 0;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await iterator.return?.();
  };
  const count = (chunk: Uint8Array) => {
    total += chunk.byteLength;
    if (total > maxBytes) throw importErrors.fileTooLarge(maxBytes);
  };

  const buffered: Uint8Array[] = [];
  let bufferedBytes = 0;
  let isComplete = false;
  try {
    while (bufferedBytes < opts.headBytes) {
      const next = await iterator.next();
      if (next.done) {
        isComplete = true;
        released = true;
        break;
      }
      count(next.value);
      buffered.push(next.value);
      bufferedBytes += next.value.byteLength;
    }
  } catch (error) {
    await release();
    throw error;
  }

  const head = concat(buffered, Math.min(bufferedBytes, opts.headBytes));

  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      while (buffered.length > 0) yield buffered.shift()!;
      if (isComplete) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          released = true;
          return;
        }
        count(next.value);
        yield next.value;
      }
    } finally {
      await release();
    }
  }

  return { head, isComplete, chunks: chunks(), close: release };
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0].subarray(0, length);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    if (offset >= length) break;
    const take = Math.min(part.byteLength, length - offset);
    out.set(part.subarray(0, take), offset);
    offset += take;
  }
  return out;
}
