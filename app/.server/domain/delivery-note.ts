import { formatKey, type DeliveryLine } from "./delivery-content.ts";

export type Translate = (key: string, vars?: Record<string, string | number>) => string;

/**
 * The plain-text block written into the host order (Shopify order note, WooCommerce customer note,
 * which WooCommerce emails to the buyer): plain text only, so WordPress's filters leave the keys
 * as they are. Every key delivered so far, per product; what still waits for stock; what was
 * withdrawn. Rendered in the buyer's language.
 */
export function renderDeliveryNote(t: Translate, lines: DeliveryLine[], opts: { keyPageUrl?: string | null } = {}): string {
  const out: string[] = [t("delivery.note.header")];
  for (const line of lines) {
    if (line.keys.length === 0 && line.pendingUnits === 0 && line.releasedUnits === 0) continue;
    out.push("", line.title ?? t("delivery.note.product"));
    for (const key of line.keys) out.push(`  ${formatKey(key)}`);
    if (line.pendingUnits > 0) out.push(`  ${t("delivery.note.pending", { count: line.pendingUnits })}`);
    if (line.releasedUnits > 0) out.push(`  ${t("delivery.note.released", { count: line.releasedUnits })}`);
  }
  if (opts.keyPageUrl) out.push("", t("delivery.note.link", { url: opts.keyPageUrl }));
  return out.join("\n");
}
