/**
 * A physical line of text: `text` without its line break, or `overlong` when the line had more
 * than `maxChars` characters (its text is then dropped, not buffered).
 */
export type TextLine = { line: number; text: string; overlong: false } | { line: number; text: ""; overlong: true };

/**
 * Splits a stream of text into lines at CRLF, LF or CR (a CRLF split across two chunks is one
 * break). Line numbers start at 1 and count every line, blank or not. A final line without a
 * break is yielded; the empty "line" after a final break is not.
 */
export async function* splitLines(texts: AsyncIterable<string>, maxChars: number): AsyncGenerator<TextLine> {
  let line = 1;
  let carry = ""; // the unfinished line so far
  let overlong = false; // the unfinished line passed maxChars; carry is discarded
  let pendingCR = false; // the previous chunk ended with CR: a LF first in this chunk belongs to it

  const emit = (text: string): TextLine =>
    overlong || text.length > maxChars ? { line, text: "", overlong: true } : { line, text, overlong: false };

  for await (const text of texts) {
    if (text.length === 0) continue;
    let start = 0;
    if (pendingCR) {
      pendingCR = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const out = emit(carry + text.slice(start, i));
      carry = "";
      overlong = false;
      yield out;
      line++;
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          pendingCR = true;
        }
      }
      start = i + 1;
    }
    if (start < text.length) {
      if (overlong) continue;
      carry += text.slice(start);
      if (carry.length > maxChars) {
        overlong = true;
        carry = "";
      }
    }
  }
  if (carry.length > 0 || overlong) yield emit(carry);
}
