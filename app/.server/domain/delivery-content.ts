import type { KeyPayload } from "../crypto/key-payload.ts";

/**
 * What an order's buyer has been given, line by line: the plaintext exists only in memory, for the
 * call that delivers it (host write-back, email, buyer page), and is never logged or stored.
 */
export interface DeliveryLine {
  orderLineId: string;
  externalLineId: string;
  title: string | null;
  keys: KeyPayload[];
  /** Units still waiting for stock. */
  pendingUnits: number;
  /** Units taken back after a refund or cancellation. */
  releasedUnits: number;
  /** Units holding a key no channel has carried yet (not decrypted; e.g. behind "reveal on click"). */
  unmarkedUnits?: number;
}

/** One key as the buyer reads it: the code, then any extra fields ("PIN: 1234"). */
export function formatKey(key: KeyPayload): string {
  const extras = Object.entries(key.fields).filter(([, v]) => v !== "");
  if (extras.length === 0) return key.code;
  return `${key.code} (${extras.map(([k, v]) => `${k}: ${v}`).join(", ")})`;
}

export function countKeys(lines: DeliveryLine[]): number {
  return lines.reduce((n, l) => n + l.keys.length, 0);
}

export function countPending(lines: DeliveryLine[]): number {
  return lines.reduce((n, l) => n + l.pendingUnits, 0);
}
