import { importErrors } from "./import-errors.ts";

/** Which column of a CSV row feeds what. Indexes are 0-based positions in the header. */
export interface ColumnPlan {
  code: number;
  /** extra fields stored with the key: field name → column */
  fields: { name: string; index: number }[];
  cost?: number;
  expiry?: number;
}

/** Header names taken as the code column when the map names none (case-insensitive). */
export const DEFAULT_CODE_HEADERS = ["code", "key", "serial", "卡密", "卡号"];

/**
 * Resolves the column map against the header row (already trimmed).
 * - With a map: each target's header must exist (`csv_missing_column`, params {column}); a
 *   header matches exactly, else case-insensitively. `code` falls back to the default below;
 *   `cost` and `expiry` are parsed; every other target is an extra field; unmapped columns are
 *   ignored.
 * - Without a map: the code is the first header named code/key/serial/卡密/卡号, else the first
 *   column; every other column is an extra field named by its header (a blank header becomes
 *   `column_N`, a repeated one `name_N`, N being the 1-based column number).
 */
export function planColumns(header: string[], map: Record<string, string> | undefined): ColumnPlan {
  if (map === undefined) {
    const code = defaultCodeColumn(header);
    const used = new Set<string>();
    const fields: ColumnPlan["fields"] = [];
    header.forEach((name, index) => {
      if (index === code) return;
      let fieldName = name === "" ? `column_${index + 1}` : name;
      if (used.has(fieldName)) fieldName = `${fieldName}_${index + 1}`;
      used.add(fieldName);
      fields.push({ name: fieldName, index });
    });
    return { code, fields };
  }

  const find = (column: string): number => {
    const wanted = column.trim();
    let index = header.indexOf(wanted);
    if (index === -1) {
      const lower = wanted.toLowerCase();
      index = header.findIndex((h) => h.toLowerCase() === lower);
    }
    if (index === -1 || wanted === "") throw importErrors.missingColumn(column);
    return index;
  };
  const plan: ColumnPlan = { code: map.code === undefined ? defaultCodeColumn(header) : find(map.code), fields: [] };
  for (const [target, column] of Object.entries(map)) {
    if (target === "code") continue;
    const index = find(column);
    if (target === "cost") plan.cost = index;
    else if (target === "expiry") plan.expiry = index;
    else plan.fields.push({ name: target, index });
  }
  return plan;
}

function defaultCodeColumn(header: string[]): number {
  const index = header.findIndex((h) => DEFAULT_CODE_HEADERS.includes(h.toLowerCase()));
  return index === -1 ? 0 : index;
}
