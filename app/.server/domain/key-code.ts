/**
 * Characters that show as nothing and ride along with copy-paste (from web pages, Word, Excel,
 * a second file's BOM after concatenating two files): soft hyphen, Arabic letter mark, Mongolian
 * vowel separator, zero-width space/non-joiner/joiner, LRM/RLM, the bidi embeddings, overrides
 * and isolates, word joiner and the invisible operators, deprecated format controls, BOM/ZWNBSP.
 * Not variation selectors (they belong to the emoji or character before them).
 */
const INVISIBLE = "\\u00AD\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF";
/** Unicode White_Space (String.prototype.trim misses U+0085 NEL) and the invisibles: all BMP, one code unit each. */
const EDGE_CHAR = new RegExp(`[\\p{White_Space}${INVISIBLE}]`, "u");
/** What a line that shows nothing is made of. */
const BLANK = new RegExp(`^[\\p{White_Space}${INVISIBLE}]*$`, "u");
/**
 * What a cell that holds no code is made of: besides blanks, quote marks (every script's, so the
 * “” a Chinese IME types too) and the separators of CSV-like text (, ; | and their full-width
 * forms). A code of only these is not a key anyone sells: it is `""` left from a CSV cell whose
 * quotes did not open the cell (csv-parse keeps them when relaxed), a TXT line pasted from a
 * CSV, a row of an Excel export that used `;`. TXT has no quoting, so quotes *around or inside*
 * a real code stay part of it; only a line with nothing else is an empty code.
 */
const NO_CODE = new RegExp(`^[\\p{White_Space}\\p{Quotation_Mark}${INVISIBLE},;|\\uFF0C\\uFF1B\\uFF5C]*$`, "u");
const HAS_INVISIBLE = new RegExp(`[${INVISIBLE}]`, "u");
/** Printable ASCII and spaces/tabs only: none of the above can be inside but quotes and separators. */
const PLAIN = /^[\t\x20-\x7e]*$/;
const PLAIN_NO_CODE = /^[\t "',;|]*$/;

/** A cell or line with whitespace and invisible characters cut from both ends. */
export function trimCode(raw: string): string {
  if (PLAIN.test(raw)) return raw.trim();
  // A scan from each end, not a /[…]+$/ replace: that one is quadratic on a long line (TXT lines
  // are up to 64 Ki characters before the length check) with a long run of spaces inside.
  let start = 0;
  let end = raw.length;
  while (start < end && EDGE_CHAR.test(raw[start])) start++;
  while (end > start && EDGE_CHAR.test(raw[end - 1])) end--;
  return start === 0 && end === raw.length ? raw : raw.slice(start, end);
}

/** True when a trimmed cell holds no code (see NO_CODE); "" is such a cell. */
export function holdsNoCode(trimmed: string): boolean {
  return PLAIN.test(trimmed) ? PLAIN_NO_CODE.test(trimmed) : NO_CODE.test(trimmed);
}

/** True when the text shows nothing at all (only whitespace and invisible characters). */
export function isBlank(text: string): boolean {
  return PLAIN.test(text) ? text.trim() === "" : BLANK.test(text);
}

export type CodeReading =
  | { kind: "code"; code: string }
  | { kind: "empty"; reason: "empty_code" }
  | { kind: "invisible"; reason: "invisible_character" };

/**
 * One code as read from a file (after CSV unquoting or TXT line splitting): trimmed of whitespace
 * and invisibles at the ends (`\u200BABC` is the key ABC, not an invisible twin of it), an empty
 * code when nothing but quotes and separators is left, and refused when an invisible character
 * is *inside* it. Inside, stripping could silently change a secret (and a zero-width joiner is
 * part of an emoji sequence), while keeping it makes a key that looks like another and may not
 * redeem: the merchant is told the line instead, and fixes the file.
 */
export function readCode(raw: string): CodeReading {
  const code = trimCode(raw);
  if (holdsNoCode(code)) return { kind: "empty", reason: "empty_code" };
  if (!PLAIN.test(code) && HAS_INVISIBLE.test(code)) return { kind: "invisible", reason: "invisible_character" };
  return { kind: "code", code };
}

/**
 * How a code is compared: trimmed (whitespace and invisible characters, see readCode); upper-cased
 * when the pool is case-insensitive. The fingerprint is taken of this form, so " abcd-1 " and
 * "ABCD-1" are the same key in a case-insensitive pool. Unicode is NFC-normalised so the same
 * characters typed two ways compare equal. A code that holds no code (only quotes, separators,
 * whitespace, invisibles) normalises to "": the caller reports it as an empty code.
 */
export function normaliseCode(raw: string, caseInsensitive: boolean): string {
  const trimmed = trimCode(raw.normalize("NFC"));
  if (holdsNoCode(trimmed)) return "";
  return caseInsensitive ? trimmed.toUpperCase() : trimmed;
}

/** What an admin list shows instead of the code: the ends only, never enough to use it. */
export function maskCode(code: string): string {
  const chars = [...code];
  if (chars.length <= 4) return "•".repeat(chars.length);
  if (chars.length <= 10) return `${chars.slice(0, 2).join("")}…${chars.slice(-2).join("")}`;
  return `${chars.slice(0, 4).join("")}…${chars.slice(-4).join("")}`;
}

/** A pool's optional format check; a key that does not match is reported as an invalid line. */
export function matchesFormat(code: string, pattern: RegExp | null): boolean {
  return pattern === null || pattern.test(code);
}
