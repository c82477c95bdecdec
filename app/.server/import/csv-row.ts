import { holdsNoCode, readCode, trimCode } from "../domain/key-code.ts";
import type { ColumnPlan } from "./csv-columns.ts";
import { longerThan, MAX_CODE_LENGTH, MAX_FIELD_LENGTH } from "./limits.ts";
import { parseCost } from "./parse-cost.ts";
import { parseExpiry } from "./parse-expiry.ts";
import type { ParsedLine } from "./types.ts";

/**
 * One CSV data row → a key or the first reason it is invalid, checked in this order:
 * column count (`bad_csv_row`), code, extra fields, cost, expiry. Cells are trimmed of whitespace
 * and invisible characters (domain/key-code.ts). Returns null for a blank row (no cell shows
 * anything), skipped like an empty line. A code cell that holds no code (empty after unquoting
 * and trimming, or only quotes or separators, e.g. ` "" `) is `empty_code`; an invisible
 * character inside the code is `invisible_character`. An optional cell that holds nothing is
 * simply absent.
 */
export function parseCsvRow(cells: string[], width: number, plan: ColumnPlan, line: number, costDigits: number): ParsedLine | null {
  const trimmed = cells.map(trimCode);
  if (trimmed.every((c) => c === "")) return null;
  if (trimmed.length !== width) return { kind: "invalid", line, reason: "bad_csv_row" };

  const read = readCode(trimmed[plan.code]);
  if (read.kind !== "code") return { kind: "invalid", line, reason: read.reason };
  const code = read.code;
  if (longerThan(code, MAX_CODE_LENGTH)) return { kind: "invalid", line, reason: "code_too_long" };

  const entries: [string, string][] = [];
  for (const { name, index } of plan.fields) {
    const value = trimmed[index];
    if (holdsNoCode(value)) continue;
    if (longerThan(value, MAX_FIELD_LENGTH)) return { kind: "invalid", line, reason: "field_too_long" };
    entries.push([name, value]);
  }
  // fromEntries defines own properties, so a field named "__proto__" is data, not a prototype
  const key: ParsedLine & { kind: "key" } = { kind: "key", line, code, fields: Object.fromEntries(entries) };

  const costCell = plan.cost === undefined ? "" : trimmed[plan.cost];
  if (!holdsNoCode(costCell)) {
    const costMinor = parseCost(costCell, costDigits);
    if (costMinor === null) return { kind: "invalid", line, reason: "bad_cost" };
    key.costMinor = costMinor;
  }
  const expiryCell = plan.expiry === undefined ? "" : trimmed[plan.expiry];
  if (!holdsNoCode(expiryCell)) {
    const expiresAt = parseExpiry(expiryCell);
    if (expiresAt === null) return { kind: "invalid", line, reason: "bad_expiry" };
    key.expiresAt = expiresAt;
  }
  return key;
}
