/**
 * A cell a spreadsheet would execute as a formula (=, +, -, @, tab, CR at the start) is prefixed
 * with an apostrophe, so opening an export never runs what a supplier or buyer typed.
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV line: every cell neutralised, then quoted when it holds a comma, quote or newline. */
export function csvLine(cells: (string | number | null | undefined)[]): string {
  return cells
    .map((c) => {
      const v = neutraliseCell(c == null ? "" : String(c));
      return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    })
    .join(",");
}
