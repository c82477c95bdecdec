/** Size limits of an import. Lengths count Unicode code points. */

/** A code longer than this is `code_too_long`. */
export const MAX_CODE_LENGTH = 512;
/** An extra field longer than this is `field_too_long`. */
export const MAX_FIELD_LENGTH = 1024;
/** Encoding detection looks at this many bytes from the start of the file. */
export const HEAD_BYTES = 64 * 1024;
/**
 * A TXT line longer than this (before trimming) is not kept in memory: it is reported as
 * `code_too_long` without being buffered whole, so a file without line breaks stays bounded.
 */
export const MAX_TXT_LINE_CHARS = 64 * 1024;
/**
 * A CSV record larger than this (csv-parse's `max_record_size`, roughly bytes) cannot be a key
 * row; parsing stops there instead of buffering it (in practice: a quote that is never closed
 * swallowing the rest of the file).
 */
export const MAX_CSV_RECORD_SIZE = 1024 * 1024;

/** True when `text` has more than `max` code points (cheap when it is short). */
export function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false; // code points ≤ code units
  let count = 0;
  for (const _ of text) {
    if (++count > max) return true;
  }
  return false;
}
