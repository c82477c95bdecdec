import type { ColumnPlan } from "./csv-columns.ts";
import { longerThan, MAX_CODE_LENGTH, MAX_FIELD_LENGTH } from "./limits.ts";
import { parseCost } from "./parse-cost.ts";
import { parseExpiry } from "./parse-expiry.ts";
import type { ParsedLine } from "./types.ts";

/**
 * One CSV data row → a key or the first reason it is invalid, checked in this order:
 * column count (`bad_csv_row`), code, extra fields, cost, expiry. Cells are trimmed; an empty
 * optional cell is simply absent. Returns null for a blank row (every cell empty).
 */
export function parseCsvRow(cells: string[], width: number, plan: ColumnPlan, line: number, costDigits: number): ParsedLine | null {
  const trimmed = cells.map((c) => c.trim());
  if (trimmed.every((c) => c === "")) return null;
  if (trimmed.length !== width) return { kind: "invalid", line, reason: "bad_csv_row" };

  const code = trimmed[plan.code];
  if (code === "") return { kind: "invalid", line, reason: "empty_code" };
  if (longerThan(code, MAX_CODE_LENGTH)) return { kind: "invalid", line, reason: "code_too_long" };

  const entries: [string, string][] = [];
  for (const { name, index } of plan.fields) {
    const value = trimmed[index];
    if (value === "") continue;
    if (longerThan(value, MAX_FIELD_LENGTH)) return { kind: "invalid", line, reason: "field_too_long" };
    entries.push([name, value]);
  }
  // fromEntries defines own properties, so a field named "__proto__" is data, not a prototype
  const key: ParsedLine & { kind: "key" } = { kind: "key", line, code, fields: Object.fromEntries(entries) };

  const costCell = plan.cost === undefined ? "" : trimmed[plan.cost];
  if (costCell !== "") {
    const costMinor = parseCost(costCell, costDigits);
    if (costMinor === null) return { kind: "invalid", line, reason: "bad_cost" };
    key.costMinor = costMinor;
  }
  const expiryCell = plan.expiry === undefined ? "" : trimmed[plan.expiry];
  if (expiryCell !== "") {
    const expiresAt = parseExpiry(expiryCell);
    if (expiresAt === null) return { kind: "invalid", line, reason: "bad_expiry" };
    key.expiresAt = expiresAt;
  }
  return key;
}
