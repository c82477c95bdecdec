/**
 * The shapes of a parsed key file. `parse-key-file.ts` re-exports all of them; import them from
 * there.
 */
export type ImportFormat = "txt" | "csv";

export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be" | "gb18030";

export interface ParseOptions {
  format: ImportFormat;
  /** user override; default: detect */
  encoding?: TextEncodingName;
  /** csv only: target → header name, e.g. { code: "Serial", pin: "PIN", cost: "Cost", expiry: "Expires" }.
   *  "code" is required (default: a header named code/key/serial/卡密/卡号, case-insensitive, else the first column).
   *  "cost" and "expiry" are special targets; every other target is an extra field stored with the key.
   *  Without a map, every column other than the code column is an extra field named by its header. */
  map?: Record<string, string>;
  /** digits of the currency's minor unit for cost parsing (default 2) */
  costDigits?: number;
  /** reject the file once more than this many bytes were read (default: no limit) */
  maxBytes?: number;
}

/**
 * One record of the file. `line` is the 1-based physical line where the record starts (blank
 * lines count). A key carries its code in plaintext: never log it.
 */
export type ParsedLine =
  | { kind: "key"; line: number; code: string; fields: Record<string, string>; costMinor?: number; expiresAt?: string }
  | { kind: "invalid"; line: number; reason: InvalidReason };

/** Why a line was rejected. A reason is one of these names and nothing else: never the code. */
export type InvalidReason =
  | "empty_code"
  | "invisible_character"
  | "code_too_long"
  | "field_too_long"
  | "bad_cost"
  | "bad_expiry"
  | "bad_csv_row";

export interface ParseResult {
  encoding: TextEncodingName;
  lines: AsyncGenerator<ParsedLine>;
}
