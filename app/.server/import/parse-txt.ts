import { isBlank, readCode } from "../domain/key-code.ts";
import { longerThan, MAX_CODE_LENGTH, MAX_TXT_LINE_CHARS } from "./limits.ts";
import { splitLines } from "./split-lines.ts";
import type { ParsedLine } from "./types.ts";

/**
 * TXT (and pasted text): one code per line, trimmed of whitespace and invisible characters.
 * A line that shows nothing (whitespace, BOMs, zero-width characters) is blank: skipped but still
 * counted. TXT has no quoting, so quotes are part of a code; but a line of nothing but quotes or
 * separators (`""`, `;`) holds no code and is reported as `empty_code`, an invisible character
 * inside a code as `invisible_character` (see readCode in domain/key-code.ts).
 */
export async function* parseTxt(texts: AsyncIterable<string>): AsyncGenerator<ParsedLine> {
  for await (const { line, text, overlong } of splitLines(texts, MAX_TXT_LINE_CHARS)) {
    if (overlong) {
      yield { kind: "invalid", line, reason: "code_too_long" };
      continue;
    }
    if (isBlank(text)) continue;
    const read = readCode(text);
    if (read.kind !== "code") yield { kind: "invalid", line, reason: read.reason };
    else if (longerThan(read.code, MAX_CODE_LENGTH)) yield { kind: "invalid", line, reason: "code_too_long" };
    else yield { kind: "key", line, code: read.code, fields: {} };
  }
}
