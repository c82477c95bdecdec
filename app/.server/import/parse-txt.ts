import { longerThan, MAX_CODE_LENGTH, MAX_TXT_LINE_CHARS } from "./limits.ts";
import { splitLines } from "./split-lines.ts";
import type { ParsedLine } from "./types.ts";

/** TXT (and pasted text): one code per line, trimmed; blank lines are skipped but still counted. */
export async function* parseTxt(texts: AsyncIterable<string>): AsyncGenerator<ParsedLine> {
  for await (const { line, text, overlong } of splitLines(texts, MAX_TXT_LINE_CHARS)) {
    if (overlong) {
      yield { kind: "invalid", line, reason: "code_too_long" };
      continue;
    }
    const code = text.trim();
    if (code === "") continue;
    if (longerThan(code, MAX_CODE_LENGTH)) yield { kind: "invalid", line, reason: "code_too_long" };
    else yield { kind: "key", line, code, fields: {} };
  }
}
