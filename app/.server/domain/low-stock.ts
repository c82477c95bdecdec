/**
 * Low stock alerts once per dip: below the threshold and not yet alerted → alert; back at or
 * above the threshold while alerted → clear (re-arm). A threshold of 0 turns alerts off.
 */
export function lowStockChange(p: { available: number; threshold: number; alerted: boolean }): "alert" | "clear" | "none" {
  if (p.threshold <= 0) return p.alerted ? "clear" : "none";
  if (p.available < p.threshold && !p.alerted) return "alert";
  if (p.available >= p.threshold && p.alerted) return "clear";
  return "none";
}
