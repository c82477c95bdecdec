import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CsvError, parse, type InfoRecord, type Options } from "csv-parse";
import { trimCode } from "../domain/key-code.ts";
import { planColumns, type ColumnPlan } from "./csv-columns.ts";
import { parseCsvRow } from "./csv-row.ts";
import { importErrors } from "./import-errors.ts";
import { MAX_CSV_RECORD_SIZE } from "./limits.ts";
import type { ParsedLine } from "./types.ts";

export interface CsvOptions {
  map?: Record<string, string>;
  costDigits: number;
}

interface CsvRecord {
  cells: string[];
  /** the physical line the record starts on */
  line: number;
}

/**
 * CSV with a header row, through csv-parse's stream (comma-separated, `"` quotes and `""`
 * escapes, CRLF/LF/CR even mixed). The first non-blank record is the header (see
 * planColumns); every later non-blank record yields one ParsedLine.
 *
 * Line numbers are counted here, not taken from csv-parse's `info.lines`, which counts a CRLF
 * inside a quoted field twice: a record starts one line after the previous one ended plus the
 * blank lines skipped in between, and ends as many lines later as its cells hold line breaks.
 *
 * Quotes are relaxed (a stray `"` inside an unquoted cell is kept as text), so the only CSV
 * errors left are fatal ones csv-parse cannot recover from: a quote never closed
 * (`csv_unclosed_quote`) or a record over the size limit (`csv_record_too_large`).
 */
export async function* parseCsv(texts: AsyncIterable<string>, opts: CsvOptions): AsyncGenerator<ParsedLine> {
  // Kept in step with csv-parse by on_record (called as each record is parsed), so a fatal
  // error can name its record's line even when records before it were never consumed.
  let lastLine = 0; // the line the previous record ended on
  let emptyLinesBefore = 0;
  const startLine = (emptyLines: number) => lastLine + 1 + (emptyLines - emptyLinesBefore);

  const onRecord = (cells: string[], info: InfoRecord): CsvRecord => {
    const line = startLine(info.empty_lines);
    lastLine = line + lineBreaksIn(cells);
    emptyLinesBefore = info.empty_lines;
    return { cells, line };
  };
  const options: Options = {
    delimiter: ",",
    record_delimiter: ["\r\n", "\n", "\r"],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_CSV_RECORD_SIZE,
    // csv-parse's types tie on_record's return to `columns`; records here are { cells, line }.
    on_record: onRecord as unknown as NonNullable<Options["on_record"]>,
  };
  const parser = parse(options);
  // highWaterMark 1: read ahead at most one decoded chunk. An error on either side reaches the
  // loop below through the parser; `piped` settles once the text source has been closed too.
  const piped = pipeline(Readable.from(texts, { highWaterMark: 1 }), parser).catch(() => {});

  let plan: ColumnPlan | undefined;
  let width = 0;
  try {
    for await (const { cells, line } of parser as AsyncIterable<CsvRecord>) {
      if (plan === undefined) {
        // trimmed like data cells, so a header behind a stray BOM or zero-width space is still found
        const header = cells.map(trimCode);
        if (header.every((cell) => cell === "")) continue;
        plan = planColumns(header, opts.map);
        width = header.length;
        continue;
      }
      const parsed = parseCsvRow(cells, width, plan, line, opts.costDigits);
      if (parsed !== null) yield parsed;
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // csv-parse errors copy the record into their properties: never pass one on
    const emptyLines = (error as { empty_lines?: unknown }).empty_lines;
    const line = startLine(typeof emptyLines === "number" ? emptyLines : emptyLinesBefore);
    if (error.code === "CSV_QUOTE_NOT_CLOSED") throw importErrors.csvUnclosedQuote(line);
    if (error.code === "CSV_MAX_RECORD_SIZE") throw importErrors.csvRecordTooLarge(line, MAX_CSV_RECORD_SIZE);
    throw new Error(`csv-parse failed unexpectedly (${error.code}) in the record starting on line ${line}`);
  } finally {
    parser.destroy();
    await piped; // so that the input is released when this generator is done
  }
}

function lineBreaksIn(cells: string[]): number {
  let breaks = 0;
  for (const cell of cells) {
    if (cell.indexOf("\n") === -1 && cell.indexOf("\r") === -1) continue;
    for (let i = 0; i < cell.length; i++) {
      const c = cell.charCodeAt(i);
      if (c === 10) breaks++;
      else if (c === 13) {
        breaks++;
        if (cell.charCodeAt(i + 1) === 10) i++;
      }
    }
  }
  return breaks;
}
