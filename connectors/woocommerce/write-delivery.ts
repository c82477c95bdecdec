import type { DeliveryWrite } from "../host-connector.ts";
import { HostError } from "../host-error.ts";
import type { WooCommerceRestClient } from "./rest-client.ts";
import type { WcNote, WcOrder } from "./wire-types.ts";

export const DELIVERY_REF_META = "_keyrelay_delivery_ref";
export const DELIVERY_SUMMARY_META = "_keyrelay_delivery";

/** WordPress stores a note as a comment (MySQL TEXT: 65,535 bytes); stay clear of the limit. */
const MAX_NOTE_BYTES = 60_000;

/** The last line of our customer note: how a re-run recognises a note it already posted. */
export function deliveryMarker(reference: string): string {
  return `keyrelay ref ${reference}`;
}

/**
 * Writes a delivery into a WooCommerce order, idempotently per `reference`:
 *
 * 1. the order's `_keyrelay_delivery_ref` meta equals the reference → done, nothing written;
 * 2. else, unless a customer note already ends with our marker for this reference (a previous run
 *    crashed after posting the note but before recording the reference), post the customer note
 *    (`customer_note: true`: WooCommerce emails it to the buyer) — plain text, keys included;
 * 3. record the summary and the reference in order meta (PUT /orders/{id}).
 *
 * The note goes first and the reference last, so a crash anywhere leaves a state the next run
 * completes without a second note. Two runs for the same order at the same moment could both
 * post; the job queue runs one delivery per order at a time. The meta summary holds counts and
 * line ids only, never codes: order meta shows up in many plugins and API clients. Updating the
 * order fires WooCommerce's order.updated webhook again; its processing finds nothing new.
 */
export async function writeWooCommerceDelivery(client: WooCommerceRestClient, d: DeliveryWrite): Promise<void> {
  const id = orderPathId(d.externalOrderId);
  const note = `${d.noteText.trimEnd()}\n\n${deliveryMarker(d.reference)}`;
  if (Buffer.byteLength(note) > MAX_NOTE_BYTES) {
    throw new HostError("invalid", `WooCommerce order ${id}: the delivery note is ${Buffer.byteLength(note)} bytes, more than a WooCommerce note holds (${MAX_NOTE_BYTES})`);
  }
  const { body: order } = await client<WcOrder>("GET", `orders/${id}`);
  if (order.meta_data?.some((m) => m.key === DELIVERY_REF_META && m.value === d.reference)) return;

  const { body: notes } = await client<WcNote[]>("GET", `orders/${id}/notes`, { query: { type: "customer" } });
  const marker = deliveryMarker(d.reference);
  const posted = Array.isArray(notes) && notes.some((n) => n.customer_note && typeof n.note === "string" && n.note.trimEnd().endsWith(marker));
  if (!posted) await client("POST", `orders/${id}/notes`, { body: { note, customer_note: true } });

  const summary = {
    reference: d.reference,
    lines: d.lines.map((l) => ({ line: l.externalLineId, delivered: l.codes.length, pending: l.pendingUnits })),
  };
  await client("PUT", `orders/${id}`, {
    body: {
      meta_data: [
        { key: DELIVERY_SUMMARY_META, value: JSON.stringify(summary) },
        { key: DELIVERY_REF_META, value: d.reference },
      ],
    },
  });
}

/** Order ids go into the path: only plain positive integers. */
export function orderPathId(id: string): string {
  const trimmed = String(id).trim();
  if (!/^\d+$/.test(trimmed)) throw new HostError("invalid", "WooCommerce order ids are numbers");
  return trimmed;
}
