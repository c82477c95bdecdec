import { readHead } from "./byte-source.ts";
import { decodeText } from "./decode-text.ts";
import { resolveEncoding } from "./detect-encoding.ts";
import { importErrors } from "./import-errors.ts";
import { HEAD_BYTES } from "./limits.ts";
import { parseCsv } from "./parse-csv.ts";
import { parseTxt } from "./parse-txt.ts";
import type { ParsedLine, ParseOptions, ParseResult } from "./types.ts";

export type { ImportFormat, InvalidReason, ParsedLine, ParseOptions, ParseResult, TextEncodingName } from "./types.ts";

/**
 * Reads the head to detect/validate the encoding, then yields one ParsedLine per non-blank record.
 *
 * Streaming: bytes are decoded and parsed chunk by chunk, and `lines` reads the input only as
 * it is iterated (a bounded read-ahead of about one chunk), so a file of any length parses in
 * bounded memory. An invalid line is yielded as `invalid` and never ends the file.
 *
 * File-level errors are `InvalidInputError`s (codes: empty_file, binary_file, wrong_encoding,
 * csv_missing_column, file_too_large, csv_unclosed_quote, csv_record_too_large):
 * - This promise rejects with every error found before the first record: the head's encoding,
 *   a missing mapped column, a file with no record at all (it reads ahead to the first record
 *   to know), a limit already passed.
 * - An error found later in the file (bytes invalid in the encoding after the first 64 KiB,
 *   `maxBytes` passed, a CSV quote never closed) is thrown by `lines` after the lines before
 *   it were yielded: treat any throw from `lines` as "the whole file is refused".
 * Iterate `lines` to the end, or call `lines.return()`, to release the input.
 */
export async function parseKeyFile(input: AsyncIterable<Uint8Array>, opts: ParseOptions): Promise<ParseResult> {
  const costDigits = opts.costDigits ?? 2;
  if (!Number.isInteger(costDigits) || costDigits < 0 || costDigits > 8) throw new RangeError("costDigits must be an integer from 0 to 8");
  if (opts.format !== "txt" && opts.format !== "csv") throw new RangeError("format must be txt or csv");

  const source = await readHead(input, { headBytes: HEAD_BYTES, maxBytes: opts.maxBytes });
  let resolved;
  try {
    resolved = resolveEncoding(source.head, source.isComplete, opts.encoding);
  } catch (error) {
    await source.close();
    throw error;
  }
  const texts = decodeText(source.chunks, resolved.encoding, resolved.bomBytes);
  const records = opts.format === "csv" ? parseCsv(texts, { map: opts.map, costDigits }) : parseTxt(texts);

  const lines = primed(records);
  await lines.next(); // runs up to READY: the first record is in hand, or the file was refused
  return { encoding: resolved.encoding, lines: lines as AsyncGenerator<ParsedLine> };
}

const READY = Symbol("ready");

/**
 * Reads ahead to the first record before anything is returned (so an empty file is refused by
 * parseKeyFile itself), then replays it. Being started already, the generator's `return()`
 * runs its `finally` and closes the input even if the caller never iterates it.
 */
async function* primed(records: AsyncGenerator<ParsedLine>): AsyncGenerator<ParsedLine | typeof READY> {
  try {
    const first = await records.next();
    if (first.done) throw importErrors.emptyFile();
    yield READY;
    yield first.value;
    yield* records;
  } finally {
    await records.return(undefined);
  }
}
