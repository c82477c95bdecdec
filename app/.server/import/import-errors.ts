import { InvalidInputError } from "../domain/errors.ts";
import type { TextEncodingName } from "./types.ts";

/**
 * The file-level errors of an import: the whole file is refused and nothing may be written.
 * Messages and params never carry file content (a code is a secret).
 */
export const importErrors = {
  emptyFile: () => new InvalidInputError("empty_file", "The file has no keys.", { field: "file" }),
  binaryFile: () => new InvalidInputError("binary_file", "The file is not a text file.", { field: "file" }),
  wrongEncoding: (encoding: TextEncodingName) =>
    new InvalidInputError("wrong_encoding", `The file is not valid ${encoding} text.`, { field: "encoding", params: { encoding } }),
  missingColumn: (column: string) =>
    new InvalidInputError("csv_missing_column", "The CSV header has no column with the mapped name.", { field: "map", params: { column } }),
  fileTooLarge: (limit: number) =>
    new InvalidInputError("file_too_large", `The file is larger than ${limit} bytes.`, { field: "file", params: { limit } }),
  /** A quoted CSV field opened at `line` is never closed (csv-parse cannot resynchronise). */
  csvUnclosedQuote: (line: number) =>
    new InvalidInputError("csv_unclosed_quote", `A quoted CSV field starting on line ${line} is never closed.`, { field: "file", params: { line } }),
  /** A CSV record starting at `line` grew past the record size limit. */
  csvRecordTooLarge: (line: number, limit: number) =>
    new InvalidInputError("csv_record_too_large", `The CSV record starting on line ${line} is larger than ${limit} bytes.`, {
      field: "file",
      params: { line, limit },
    }),
};
