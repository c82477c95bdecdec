import type { DeliveryWrite } from "../host-connector.ts";

/**
 * keyrelay's order metafield: app-owned (`$app:keyrelay` resolves to this app's reserved
 * namespace, which other apps and the storefront cannot write), type json, read by the
 * thank-you / order-status checkout UI extension. It is the delivery itself, so it holds codes.
 */
export const DELIVERED_KEYS_NAMESPACE = "$app:keyrelay";
export const DELIVERED_KEYS_KEY = "delivered_keys";

export interface DeliveredKeysMetafield {
  /** The DeliveryWrite reference: an equal value means the metafield is already current. */
  reference: string;
  lines: { lineId: string; title: string | null; codes: string[]; pendingUnits: number }[];
}

export function deliveredKeysValue(d: DeliveryWrite): DeliveredKeysMetafield {
  return {
    reference: d.reference,
    lines: d.lines.map((l) => ({ lineId: l.externalLineId, title: l.title, codes: l.codes, pendingUnits: l.pendingUnits })),
  };
}

/** The reference stored in a metafield value, or null when it is absent or not ours. */
export function storedReference(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as { reference?: unknown };
    return typeof parsed.reference === "string" ? parsed.reference : null;
  } catch {
    return null;
  }
}
