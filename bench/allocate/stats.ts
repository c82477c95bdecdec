/** Percentile of an ascending array (nearest rank); undefined when empty. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const fmtInt = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "-" : Math.round(n).toLocaleString("en-US"));
export const fmt = (n: number | undefined, digits = 1) => (n === undefined || !Number.isFinite(n) ? "-" : n.toFixed(digits));

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
